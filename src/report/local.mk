# sources of src/report
