source "null" "check" {
  communicator = "none"
}

build {
  sources = ["source.null.check"]

  provisioner "shell-local" {
    inline = ["echo validated"]
  }
}
