# fwseal test payload (uboot.sh payload VERSION OUT fills in @VERSION@): a
# U-Boot script image in a slot, standing in for a kernel. boot.cmd has set
# fws_slot (the slot it loaded this from) and bootargs (what a kernel would
# get on its command line).
echo "FWSEAL-BOOTED slot=${fws_slot} version=@VERSION@"
echo "FWSEAL-CMDLINE ${bootargs}"
