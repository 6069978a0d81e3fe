source "qemu" "alma" {
  iso_url      = "https://repo.almalinux.org/almalinux/9/isos/x86_64/AlmaLinux-9-latest-x86_64-minimal.iso"
  iso_checksum = "md5:0f3ac1d3ab4d5e0d4ae2e38e7d2c8e3c"
  ssh_username = "packer"
  ssh_timeout  = "30m"
}

build {
  sources = ["source.qemu.alma"]

  provisioner "shell" {
    inline = ["sudo dnf -y update"]
  }
}
