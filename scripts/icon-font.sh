#!/usr/bin/env bash
# Cuts assets/fonts/ConfabIcons.ttf, the app's icon font, out of Material Symbols Rounded
# (outlined, weight 400) as the egui_material_icons crate ships it, keeping only the code
# points app/src/ui/icons.rs names. Run it after adding an icon there; the app's glyph test
# (`cargo test -p confab icons`) fails until the font has every icon.
#
#   scripts/icon-font.sh        # needs Python 3 (installs fontTools with pip if missing)
set -euo pipefail
cd "$(dirname "$0")/.."

CRATE=egui_material_icons-0.9.0
python3 -c 'import fontTools' 2>/dev/null || python3 -m pip install --quiet 'fonttools==4.*'
src=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"$CRATE" 2>/dev/null | head -n1 || true)
if [ -z "$src" ]; then
    cargo info "${CRATE%-*}@${CRATE##*-}" >/dev/null # downloads the crate into the registry
    src=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"$CRATE" | head -n1)
fi

unicodes=$(grep -o "'\\\\u{[0-9a-f]*}'" app/src/ui/icons.rs | grep -o '[0-9a-f]\{4,5\}' | sort -u | paste -sd, -)
echo "code points: $unicodes"
python3 -m fontTools.subset "$src/MaterialSymbolsRounded-Regular.ttf" \
    --unicodes="$unicodes" --layout-features='' --no-hinting --desubroutinize \
    --name-IDs='*' --drop-tables+=GSUB,GPOS,GDEF,fvar,gvar,avar,STAT,HVAR,MVAR \
    --output-file=assets/fonts/ConfabIcons.ttf
ls -l assets/fonts/ConfabIcons.ttf
