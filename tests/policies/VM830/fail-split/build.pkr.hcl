build {
  sources = ["source.qemu.ubuntu"]

  provisioner "shell" {
    scripts = ["${path.root}/scripts/vagrant.sh", "${path.root}/scripts/cleanup.sh"]
  }
}
