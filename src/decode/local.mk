# sources of src/decode
