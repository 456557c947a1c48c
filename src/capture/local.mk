# sources of src/capture
