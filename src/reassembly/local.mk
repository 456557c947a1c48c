# sources of src/reassembly
