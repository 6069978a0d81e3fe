source "qemu" "alma" {
  iso_url      = "https://repo.almalinux.org/almalinux/9/isos/x86_64/AlmaLinux-9-latest-x86_64-minimal.iso"
  iso_checksum = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
  ssh_username = "packer"
  ssh_timeout  = "30m"
}

build {
  sources = ["source.qemu.alma"]

  provisioner "shell" {
    inline = ["sudo dnf -y update"]
  }
}
