"""Security: VM guest logins (plaintext passwords, SSH password authentication, root login, open consoles)."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.fixes import set_
from vmlint.model import Workload
from vmlint.policy import Example, Hit, Policy, Settings, policy

from .. import _fixes as fixes
from .._facts import fixing


@policy(
    id="VM650",
    name="vm-plaintext-password",
    tradeoff="security",
    severity="error",
    summary="A VM template or cloud-init user-data writes a login password in plain text.",
    rationale=(
        "A password in a template is readable by everyone who can read the repository, the KubeVirt object or the "
        "image build log, and it is usually the same on every VM built from it. cloud-init `password`, "
        "`chpasswd` lists, `plain_text_passwd` and Packer `ssh_password`/`winrm_password` literals all do this."
    ),
    remediation=(
        "Log in with SSH keys (cloud-init ssh_authorized_keys, Packer ssh_private_key_file); where a password is "
        "required, store a crypt hash (passwd / chpasswd type: hash) or read it from a secret at deploy time."
    ),
    formats=("kubevirt", "cloud-init", "packer"),
    examples=(
        Example(
            "cloud-init",
            bad="#cloud-config\npassword: fedora\nchpasswd: { expire: False }",
            good="#cloud-config\nssh_authorized_keys:\n  - ssh-ed25519 AAAAC3Nz... admin",
        ),
        Example(
            "packer",
            bad='source "qemu" "base" {\n  ssh_username = "packer"\n  ssh_password = "packer"\n}',
            good='source "qemu" "base" {\n  ssh_username = "packer"\n  ssh_private_key_file = "~/.ssh/build"\n}',
        ),
    ),
    notes=(
        "Packer passwords that come from a variable are reported at the attribute that uses them, when the "
        "variable's default or a *.pkrvars.hcl file in the same directory sets a literal value."
    ),
)
def vm_plaintext_password(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for secret in workload.access.plaintext_passwords if workload.access else ():
        yield Hit(secret.path, "plain-text password in the VM template")


@policy(
    id="VM651",
    name="ssh-password-auth",
    tradeoff="security",
    severity="warning",
    summary="The cloud-config turns on SSH password authentication (ssh_pwauth: true).",
    rationale=(
        "Password logins over SSH can be guessed and brute-forced from anywhere the VM is reachable; keys cannot. "
        "A VM is a long-lived target with a full OS, so its SSH endpoint is attacked like any server's."
    ),
    remediation="Remove `ssh_pwauth: true` and provide ssh_authorized_keys instead.",
    formats=("kubevirt", "cloud-init"),
    fix=fixes.NO_SSH_PASSWORDS,
    examples=(
        Example(
            "cloud-init",
            bad="#cloud-config\nssh_pwauth: true",
            good="#cloud-config\nssh_pwauth: false\nssh_authorized_keys:\n  - ssh-ed25519 AAAAC3Nz... admin",
        ),
    ),
)
def ssh_password_auth(workload: Workload, settings: Settings) -> Iterator[Hit]:
    fact = workload.access.password_auth if workload.access else None
    if fact is not None and fact.explicit and fact.value is True and workload.format != "packer":
        found = Hit(fact.path, "SSH password authentication is enabled")
        edit = fixes.in_format(workload, "cloud-init", set_(fact.path, False))
        yield fixing(found, fixes.NO_SSH_PASSWORDS, edit) if edit else found


@policy(
    id="VM652",
    name="vm-root-login",
    tradeoff="security",
    severity="warning",
    summary="The cloud-config allows logging in as root (disable_root: false).",
    rationale=(
        "A root login gives no audit trail of who acted and makes every stolen credential a full compromise of "
        "the guest."
    ),
    remediation="Remove `disable_root: false`; log in as a named user and use sudo.",
    formats=("kubevirt", "cloud-init"),
    fix=fixes.NO_ROOT_LOGIN,
    examples=(
        Example("cloud-init", bad="#cloud-config\ndisable_root: false", good="#cloud-config\ndisable_root: true"),
    ),
)
def vm_root_login(workload: Workload, settings: Settings) -> Iterator[Hit]:
    fact = workload.access.root_login if workload.access else None
    if fact is not None and fact.explicit and fact.value is True:
        found = Hit(fact.path, "root may log in to the guest")
        edit = fixes.in_format(workload, "cloud-init", set_(fact.path, True))
        yield fixing(found, fixes.NO_ROOT_LOGIN, edit) if edit else found


@policy(
    id="VM653",
    name="console-exposed-without-password",
    tradeoff="security",
    severity="error",
    summary="A VNC or SPICE console listens on every interface without a password.",
    rationale=(
        "A graphical console is keyboard and screen of the VM: whoever connects can reboot into single-user mode "
        "or type at a logged-in session. Listening on 0.0.0.0 without a password offers that to the whole network."
    ),
    remediation=(
        "Listen on 127.0.0.1 (libvirt listen='127.0.0.1', Packer vnc_bind_address = \"127.0.0.1\") and tunnel "
        "over SSH, or set a console password (libvirt passwd=..., Packer vnc_use_password = true)."
    ),
    formats=("libvirt", "packer"),
    examples=(
        Example(
            "libvirt",
            bad="<graphics type='vnc' port='-1' autoport='yes' listen='0.0.0.0'/>",
            good="<graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'/>",
        ),
        Example(
            "packer",
            bad='source "qemu" "base" {\n  vnc_bind_address = "0.0.0.0"\n}',
            good='source "qemu" "base" {\n  vnc_bind_address = "127.0.0.1"\n}',
        ),
    ),
)
def console_exposed_without_password(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for exposure in workload.exposure:
        if exposure.kind not in ("vnc", "spice", "rdp") or exposure.public is not True:
            continue
        auth = exposure.authenticated
        if auth is None or auth.value is False:
            yield Hit(exposure.path, f"{exposure.kind} console listens on {exposure.bind_address} without a password")


POLICIES: tuple[Policy, ...] = (
    vm_plaintext_password,
    ssh_password_auth,
    vm_root_login,
    console_exposed_without_password,
)
