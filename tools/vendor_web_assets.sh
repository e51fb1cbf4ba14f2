#!/usr/bin/env bash
# Rebuild src/rasid/web/static/vendor/ from the npm registry: Leaflet (map), topojson-client and
# world-atlas (offline country outlines, Natural Earth 1:50m), Noto Naskh Arabic (the UI font),
# swagger-ui-dist (the /docs page; version 5 reads the OpenAPI 3.1 that FastAPI writes).
# The result is committed, so users and CI never need npm or the network.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/src/rasid/web/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund leaflet@1.9.4 topojson-client@3.1.0 world-atlas@2.0.2 \
  @fontsource/noto-naskh-arabic@5.3.0 swagger-ui-dist@5.35.0
mkdir -p "$dest"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$dest/"
cp node_modules/topojson-client/dist/topojson-client.min.js "$dest/"
cp node_modules/world-atlas/countries-50m.json "$dest/countries-50m.topojson.json"
for f in arabic-400 arabic-700 latin-400 latin-700; do
  cp "node_modules/@fontsource/noto-naskh-arabic/files/noto-naskh-arabic-$f-normal.woff2" "$dest/"
done
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css "$dest/"
cp node_modules/swagger-ui-dist/favicon-32x32.png "$dest/swagger-favicon-32x32.png"
cp node_modules/swagger-ui-dist/LICENSE "$dest/LICENSE.swagger-ui"
cp node_modules/leaflet/LICENSE "$dest/LICENSE.leaflet"
cp node_modules/topojson-client/LICENSE "$dest/LICENSE.topojson-client"
cp node_modules/world-atlas/LICENSE.md "$dest/LICENSE.world-atlas" 2>/dev/null || cp node_modules/world-atlas/LICENSE "$dest/LICENSE.world-atlas"
cp node_modules/@fontsource/noto-naskh-arabic/LICENSE "$dest/LICENSE.noto-naskh-arabic"
echo "vendored into $dest"
