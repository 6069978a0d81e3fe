password = "from-var-file"
checksum = "none"
