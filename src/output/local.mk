# sources of src/output
