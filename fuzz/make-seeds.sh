#!/usr/bin/env bash
# Writes the seed inputs of fuzz/corpus/ from the project's fixtures and
# ../shared/realdata (where present). Each import seed starts with the three
# bytes harness::ImportCase reads: kind, flags, reading (see harness.rs).
# Run once; the fuzzer's minimised finds are added beside them by run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
out=fuzz/corpus
realdata=../shared/realdata
mkdir -p "$out/import" "$out/mapping"

# seed NAME KIND FLAGS READING [FILE [LINES]]: the prefix, then FILE's first
# LINES lines (all of it without LINES), read from standard input without FILE.
seed() {
    local name=$1 kind=$2 flags=$3 reading=$4 file=${5:-} lines=${6:-}
    {
        printf "\\x$(printf %02x "$kind")\\x$(printf %02x "$flags")\\x$(printf %02x "$reading")"
        if [[ -z $file ]]; then cat; elif [[ -n $lines ]]; then head -n "$lines" "$file"; else cat "$file"; fi
    } >"$out/import/$name"
}

# Kinds, as numbered in ipart::native::Kind::ALL.
theme=0 partner=1 lab=2 community=3 assignment=4 phd=5 activity=6 curriculum=7 chair=8 question=9 metric=10

# Native files (what `ipart export` writes), into the demo registry.
for kind in theme partner lab community assignment phd activity curriculum chair question metric; do
    file=fixtures/demo/${kind}s.csv
    [[ $kind == activity ]] && file=fixtures/demo/activities.csv
    [[ $kind == curriculum ]] && file=fixtures/demo/curricula.csv
    [[ $kind == community ]] && file=fixtures/demo/communities.csv
    seed "native-$kind.csv" "${!kind}" 0 0 "$file" 12
done
seed native-assignment-dry-run.csv "$assignment" 2 0 fixtures/demo/assignments.csv 6
seed native-assignment-skip-invalid-empty.csv "$assignment" 9 0 fixtures/demo/assignments.csv 6
seed native-partner-empty.csv "$partner" 8 0 fixtures/demo/partners.csv 8
seed native-theme-new.csv "$theme" 0 0 <<'CSV'
code,name_en,name_nl,aliases
fuzzing,Fuzzing,Fuzzen,fuzz|afl
it-change,IT change,IT-Verandering,
CSV
iconv -f UTF-8 -t UTF-16LE fixtures/demo/themes.csv | { printf '\xff\xfe'; cat; } | seed native-theme-utf16le.csv "$theme" 0 4
printf '\xef\xbb\xbf' | cat - fixtures/demo/metrics.csv | seed native-metric-bom.csv "$metric" 0 0
tr ',' ';' <fixtures/demo/communities.csv | seed native-community-semicolon.csv "$community" 0 16

# Foreign files through the fixture mappings (flags bits 4-6: 1 osiris,
# 2 duo, 3 agentschappen, 4 rijksstageportaal).
seed osiris-2023.csv 0 16 0 fixtures/import/hanze-osiris/osiris-2023.csv
seed osiris-2024-dry-run.csv 0 18 0 fixtures/import/hanze-osiris/osiris-2024.csv
seed osiris-3-bad-rows-skip-invalid.csv 0 17 0 fixtures/import/hanze-osiris/osiris-3-bad-rows.csv
seed osiris-create-partners-empty.csv 0 28 0 fixtures/import/hanze-osiris/osiris-2023.csv
seed rijksstageportaal.tsv 0 64 0 fixtures/import/rijksstageportaal/vacatures-2023.tsv
seed rijksstageportaal-create-partners.tsv 0 69 0 fixtures/import/rijksstageportaal/vacatures-2023.tsv
if [[ -d $realdata ]]; then
    seed duo-instellingen.csv 0 32 0 "$realdata/duo-ho-adressen/01-instellingen-hbo-en-wo.csv" 12
    seed agentschappen.csv 0 48 0 "$realdata/rijksoverheid-agentschappen/agentschappen.csv" 12
    # csv-spectrum's edge cases, as native files of a few kinds.
    n=0
    for csv in "$realdata"/csv-spectrum/csvs/*.csv; do
        seed "spectrum-$(basename "$csv")" $((n % 11)) 0 0 "$csv"
        n=$((n + 1))
    done
fi

# A mapping of the input's own (flags 0x50), then the file.
{ cat fixtures/import/hanze-osiris/osiris.toml; printf '\n%%%%\n'; cat fixtures/import/hanze-osiris/osiris-2023.csv; } |
    seed inline-osiris.csv "$assignment" 80 0
{
    cat <<'TOML'
source = "hr"
[file]
delimiter = ","
header = false
date_format = ["dd-mm-yyyy", "yyyy-mm-dd"]
[fields]
external_id = 1
title = 2
kind = { column = 3, pattern = '^(\w+)' }
level = 4
theme = 5
government_partner = 6
education_partner = 7
starts_on = 8
[constants]
students = "1"
[values.kind]
"Afstudeerstage" = "graduation"
[partner_aliases]
"Dienst Uitvoering Onderwijs" = "DUO"
TOML
    printf '\n%%%%\n'
    printf 'A-1,Data,Afstudeerstage x,HBO,data-ai,Dienst Uitvoering Onderwijs,Hogeschool Utrecht,01-09-2023\n'
    printf 'A-2,Data,stage,WO,data-ai,RDW,HU,2023-13-01\n'
} | seed inline-positions.csv "$assignment" 81 64

# Mapping files.
for toml in fixtures/import/*/*.toml; do
    cp "$toml" "$out/mapping/$(basename "$toml")"
done
printf 'source = "x"\n[file]\ndelimter = ";"\n' >"$out/mapping/unknown-key.toml"
printf '[fields]\ntitle = "Titel"\nexternal_id = 0\n' >"$out/mapping/position-zero.toml"
printf '[fields]\nlab = { column = "Naam", pattern = "(" }\n' >"$out/mapping/bad-pattern.toml"
printf '[file]\nencoding = "ebcdic"\ndelimiter = "tab"\ndate_format = "dd-mm"\n' >"$out/mapping/bad-file.toml"
printf '[create_partners]\ngovernment_partner = "government"\ntitle = "x"\n' >"$out/mapping/create-partners.toml"
printf 'kind = "partners"\n[constants]\nname = "x"\n[fields]\nname = 1\n' >"$out/mapping/constant-and-column.toml"
printf '\xef\xbb\xbfsource = "bom"\ncreate_only = ["title"]\n' >"$out/mapping/bom.toml"
printf 'source = "caf\xe9"\n' >"$out/mapping/latin1.toml"
printf '[fields\ntitle = \n' >"$out/mapping/syntax-error.toml"
