# sources of scanners
