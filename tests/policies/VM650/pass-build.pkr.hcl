variable "vault_build_password" {
  type      = string
  sensitive = true
}

source "qemu" "debian" {
  iso_url              = "https://cdimage.debian.org/debian-cd/current/amd64/iso-cd/debian-12.8.0-amd64-netinst.iso"
  iso_checksum         = "file:https://cdimage.debian.org/debian-cd/current/amd64/iso-cd/SHA256SUMS"
  ssh_username         = "packer"
  ssh_password         = var.vault_build_password
  ssh_private_key_file = "~/.ssh/packer"
}

build {
  sources = ["source.qemu.debian"]

  provisioner "shell" {
    inline = ["sudo apt-get update", "sudo apt-get -y upgrade"]
  }
}
