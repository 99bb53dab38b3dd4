# fwseal A/B boot script for U-Boot (hush), the example to copy.
#
# Compile:  mkimage -A arm64 -O linux -T script -C none -n fwseal-ab -d boot.cmd boot.scr
# Tested with Debian's U-Boot 2023.01 (qemu_arm64) by tests/cli/long_uboot_qemu.sh;
# U-Boot's distro boot finds it as /boot.scr on the first partition.
#
# The A/B state is a raw U-Boot environment in the GPT partition named
# "uboot_env": a CRC32 (little endian) over the rest, then NUL-separated
# name=value pairs, zero padded to fws_env_size. fwseal-verify reads and
# writes the same bytes through libubootenv (fw_env.config: the partition,
# offset 0, size 0x4000), so these four variables are the whole contract:
#   BOOT_ORDER   slots to try, first first ("B A"); written by fwseal
#   BOOT_A_LEFT  boot tries left for slot A ("3"); written by fwseal,
#   BOOT_B_LEFT    spent here, one per boot, before the slot runs
#   BOOTED       the slot this script chose; written only here (fwseal reads
#                it with "booted = bootloader" in system.conf)
# The slots are the partitions "slot_A" and "slot_B". Everything is looked
# up by partition name, so the layout can change without touching this file.
#
# What each failure does:
#   no uboot_env, bad CRC, write-back failed   -> FWSEAL-ERROR, stop
#   no slot with tries left                    -> FWSEAL-NO-BOOTABLE-SLOT, stop
#   the chosen slot's image does not run       -> FWSEAL-PAYLOAD-FAILED, reset
#                                                 (its try is spent: the next
#                                                 boot goes on to the next slot)
# "Stop" is poweroff here; on a board, stop in a recovery image or at the
# prompt, never in a reset loop.

# ---- 0. where things go -----------------------------------------------------
# First virtio disk. On a board: mmc 0, and replace "virtio" below.
setenv fws_dev 0
# The env area: 0x4000 bytes = 0x20 blocks of 512 bytes. Must equal the size
# in fw_env.config, or the CRCs will not match.
setenv fws_env_size 0x4000
setenv fws_env_blks 0x20
# RAM for the env, its read-back copy and the slot image. Not scriptaddr:
# this script itself is running from there.
setenv fws_env_addr ${kernel_addr_r}
setenv fws_chk_addr ${pxefile_addr_r}
setenv fws_img_addr ${ramdisk_addr_r}
# Blocks to load from the slot: enough for the test's image (8 KiB). A
# kernel or FIT needs its own size here.
setenv fws_img_blks 0x10
# The ONLY variables taken from the disk and written back to it.
setenv fws_vars "BOOT_ORDER BOOT_A_LEFT BOOT_B_LEFT BOOTED"

echo "FWSEAL: boot.scr start"

# ---- 1. load the A/B state ---------------------------------------------------
# By GPT name; gives the start block in hex without 0x, as virtio read wants.
if part start virtio ${fws_dev} uboot_env fws_env_lba; then
  echo "FWSEAL: uboot_env at block 0x${fws_env_lba}"
else
  echo "FWSEAL-ERROR: no partition named uboot_env"
  poweroff
fi
virtio read ${fws_env_addr} ${fws_env_lba} ${fws_env_blks}
# -c: check the CRC. A list of names: import those and nothing else. The
# partition is writable by the running OS; it must not be able to set
# bootcmd, bootargs or anything else U-Boot acts on.
# -d: a listed variable missing from the disk is deleted here too, so
# nothing survives from U-Boot's own environment under these names.
if env import -d -c ${fws_env_addr} ${fws_env_size} ${fws_vars}; then
  echo "FWSEAL: state BOOT_ORDER=${BOOT_ORDER} BOOT_A_LEFT=${BOOT_A_LEFT} BOOT_B_LEFT=${BOOT_B_LEFT} BOOTED=${BOOTED}"
else
  # A torn or damaged env: refuse rather than guess which slot is good.
  # (A redundant env, two copies, is the cure; see docs/integration.md.)
  echo "FWSEAL-ERROR: env CRC invalid, refusing to guess"
  poweroff
fi

# ---- 2. choose: the first slot in BOOT_ORDER with tries left -----------------
setenv fws_slot
for s in ${BOOT_ORDER}; do
  # Only the two known names. Anything else is skipped, never used to build
  # a variable or partition name. (fwseal skips unknown names the same way.)
  if test "${s}" != A && test "${s}" != B; then
    echo "FWSEAL: ignoring unknown slot [${s}] in BOOT_ORDER"
  elif test -z "${fws_slot}"; then
    # Read BOOT_<s>_LEFT: hush has no ${!name}, so build the command and run
    # it. Safe because s is A or B here, and run does not re-parse the value.
    setenv fws_left
    setenv fws_get "setenv fws_left \${BOOT_${s}_LEFT}"
    run fws_get
    # Exactly "1" to "9" counts; anything else (empty, "0", "3x", "12") is
    # no tries. By string comparison: test -gt reads "3x" as 3 and setexpr
    # reads numbers as hex ("10" - 1 = "f"), so neither may see other
    # values. fwseal's boot-attempts must therefore be 9 or less.
    setenv fws_next
    for n in 1 2 3 4 5 6 7 8 9; do
      if test "${fws_left}" = "${n}"; then setexpr fws_next ${n} - 1; fi
    done
    if test -n "${fws_next}"; then
      setenv fws_slot ${s}
    else
      echo "FWSEAL: slot ${s} has no tries left (BOOT_${s}_LEFT=${fws_left})"
    fi
  fi
done
if test -z "${fws_slot}"; then
  # Both slots spent (or BOOT_ORDER empty): nothing is known to work.
  echo "FWSEAL-NO-BOOTABLE-SLOT BOOT_ORDER=${BOOT_ORDER} BOOT_A_LEFT=${BOOT_A_LEFT} BOOT_B_LEFT=${BOOT_B_LEFT}"
  poweroff
fi

# ---- 3. spend the try and record the choice BEFORE running the slot ----------
# If the image hangs or crashes, this try is already gone: a watchdog reset
# then brings us back here with one try less, and finally to the other slot.
setenv BOOT_${fws_slot}_LEFT ${fws_next}
setenv BOOTED ${fws_slot}
# Write back only the same four variables (-c: with the CRC; -s: zero fill
# and CRC over exactly fws_env_size bytes).
env export -c -s ${fws_env_size} ${fws_env_addr} ${fws_vars}
# -s does not limit how much export writes (U-Boot's own env size does), so
# check that the data ended inside the area: its last two bytes must still
# be zero fill. Otherwise refuse before anything is written to the disk.
setexpr fws_tail ${fws_env_addr} + ${fws_env_size}
setexpr fws_tail ${fws_tail} - 2
if itest.w *${fws_tail} != 0; then
  echo "FWSEAL-ERROR: exported env does not fit in ${fws_env_size} bytes"
  poweroff
fi
# Raw write to the partition (saveenv is not used: it writes U-Boot's own
# environment, everything in it, to wherever the board keeps it).
virtio write ${fws_env_addr} ${fws_env_lba} ${fws_env_blks}
# Read it back and compare: never run a slot whose spent try is not on disk,
# or a slot that never comes up would be tried forever.
virtio read ${fws_chk_addr} ${fws_env_lba} ${fws_env_blks}
if cmp.b ${fws_env_addr} ${fws_chk_addr} ${fws_env_size}; then
  echo "FWSEAL: saved BOOTED=${BOOTED} BOOT_${fws_slot}_LEFT=${fws_next}"
else
  echo "FWSEAL-ERROR: env write-back verify failed"
  poweroff
fi

# ---- 4. run the slot ---------------------------------------------------------
# The running OS learns its slot from BOOTED or from this (fwseal.slot= on
# the kernel command line, "booted = cmdline" in system.conf).
setenv bootargs "${bootargs} fwseal.slot=${fws_slot}"
if part start virtio ${fws_dev} slot_${fws_slot} fws_img_lba; then
  echo "FWSEAL: slot ${fws_slot} at block 0x${fws_img_lba}"
else
  echo "FWSEAL-ERROR: no partition named slot_${fws_slot}"
  poweroff
fi
virtio read ${fws_img_addr} ${fws_img_lba} ${fws_img_blks}
# The test's image is a script image: source checks its CRCs, which catch
# damage, not an attacker. fwseal verified the signature when it installed
# the image; to check it again at every boot, put a signed FIT here and
# run "bootm ${fws_img_addr}" with CONFIG_FIT_SIGNATURE (and a kernel does
# not come back).
if source ${fws_img_addr}; then
  echo "FWSEAL: slot ${fws_slot} returned"
else
  echo "FWSEAL-PAYLOAD-FAILED slot=${fws_slot}"
  reset
fi
# Only the test's stand-in image returns: it plays an OS that shut down.
poweroff
