# sources of src/flow
