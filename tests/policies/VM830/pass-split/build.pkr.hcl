build {
  sources = ["source.qemu.ubuntu"]

  provisioner "shell" {
    scripts = ["${path.root}/scripts/update.sh", "${path.root}/scripts/cleanup.sh"]
  }
}
