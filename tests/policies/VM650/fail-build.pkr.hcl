variable "build_password" {
  type    = string
  default = "packer"
}

source "qemu" "debian" {
  iso_url          = "https://cdimage.debian.org/debian-cd/current/amd64/iso-cd/debian-12.8.0-amd64-netinst.iso"
  iso_checksum     = "file:https://cdimage.debian.org/debian-cd/current/amd64/iso-cd/SHA256SUMS"
  ssh_username     = "packer"
  ssh_password     = var.build_password
  shutdown_command = "sudo shutdown -P now"
}

source "qemu" "debian-winrm" {
  iso_url        = "https://cdimage.debian.org/debian-cd/current/amd64/iso-cd/debian-12.8.0-amd64-netinst.iso"
  iso_checksum   = "file:https://cdimage.debian.org/debian-cd/current/amd64/iso-cd/SHA256SUMS"
  communicator   = "winrm"
  winrm_username = "Administrator"
  winrm_password = "P@ssw0rd!"
}

build {
  sources = ["source.qemu.debian", "source.qemu.debian-winrm"]

  provisioner "shell" {
    inline = ["sudo apt-get update", "sudo apt-get -y dist-upgrade"]
  }
}
