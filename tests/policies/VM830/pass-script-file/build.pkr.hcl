source "qemu" "ubuntu" {
  iso_url      = "https://releases.ubuntu.com/22.04/ubuntu-22.04.5-live-server-amd64.iso"
  iso_checksum = "file:https://releases.ubuntu.com/22.04/SHA256SUMS"
  ssh_username = "ubuntu"
}

build {
  sources = ["source.qemu.ubuntu"]

  provisioner "shell" {
    scripts = ["${path.root}/scripts/base.sh"]
  }
}
