source "qemu" "alma" {
  iso_url      = "https://repo.almalinux.org/almalinux/9/isos/x86_64/AlmaLinux-9-latest-x86_64-minimal.iso"
  iso_checksum = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
  ssh_username = "packer"
  ssh_timeout  = "30m"
}

build {
  sources = ["source.qemu.alma"]

  provisioner "shell" {
    inline = ["sudo dnf -y update"]
  }
}
