#!/usr/bin/python3
"""Writes mtool's man page mtool(1) and its bash, zsh and fish completions
from the built binary's own --help, so they list exactly the commands and
flags it has (one fact, one place). The page's hand-written parts (what mtool
is, exit codes, examples, files, environment) are in packaging/mtool.1.in.

    make_shell_docs.py MTOOL TEMPLATE OUT_DIR
"""
import re
import subprocess
import sys
from pathlib import Path

SECTION = re.compile(r"^(\S.*):$")          # "Options:", "Preprocessing (...):"
ENTRY = re.compile(r"^  (\S.*?)(?:\s{2,}(.*))?$")  # "  --shard K/N   Take only ..."


def help_of(mtool, words):
    return subprocess.run([mtool, *words, "--help"], check=True, capture_output=True, text=True).stdout


def parse(text):
    """{"summary", "usage", "sections": [(title, [(term, description)])], "footer": [lines]}"""
    lines = text.splitlines()
    out = {"summary": lines[0], "usage": "", "sections": [], "footer": []}
    current = None
    for line in lines[1:]:
        if line.startswith("Usage: "):
            out["usage"] = line[len("Usage: "):]
        elif SECTION.match(line) and not line.startswith(" "):
            current = (SECTION.match(line).group(1), [])
            out["sections"].append(current)
        elif line.startswith("      ") and current and current[1]:  # a description on its own line
            term, description = current[1][-1]
            current[1][-1] = (term, (description + " " + line.strip()).strip())
        elif line.startswith("  ") and current is not None:
            match = ENTRY.match(line)
            current[1].append((match.group(1).strip(), (match.group(2) or "").strip()))
        elif line.strip():
            current = None
            out["footer"].append(line.strip())
    return out


def commands(mtool, words=()):
    """Every (words, parsed help) below `words`, depth first."""
    parsed = parse(help_of(mtool, list(words)))
    found = [(tuple(words), parsed)]
    for title, entries in parsed["sections"]:
        if title == "Subcommands":
            for name, _ in entries:
                if name != "help":
                    found += commands(mtool, (*words, name))
    return found


def flags_of(parsed):
    flags = []
    for title, entries in parsed["sections"]:
        if title in ("Subcommands", "Positionals", "Exit codes"):
            continue
        for term, description in entries:
            names = term.split(" ")[0].split(",")
            flags += [(name, description) for name in names if name.startswith("-")]
    return flags


def roff(text):
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return ("\\&" + text) if text.startswith((".", "'")) else text


def man_commands(found):
    out = []
    for words, parsed in found[1:]:
        out.append(f'.SS "{roff(parsed["usage"])}"')
        out.append(roff(parsed["summary"]))
        for title, entries in parsed["sections"]:
            if title == "Exit codes":
                continue
            out.append(f".PP\n{roff(title)}:")
            for term, description in entries:
                out.append(f".TP\n.B {roff(term)}\n{roff(description)}")
        for line in parsed["footer"]:
            out.append(".PP\n" + roff(line))
    return "\n".join(out)


def bash_completion(found):
    cases = []
    for words, parsed in found:
        subcommands = [n for t, e in parsed["sections"] if t == "Subcommands" for n, _ in e]
        names = " ".join(subcommands + [f for f, _ in flags_of(parsed)])
        cases.append(f'    "{" ".join(words)}") words="{names}" ;;')
    return f"""# bash completion for mtool (generated from mtool --help by scripts/make_shell_docs.py)
_mtool() {{
  local cur=${{COMP_WORDS[COMP_CWORD]}} path="" i words
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${{COMP_WORDS[i]}} in -*) ;; *) [[ -n "$path" ]] && path="$path ${{COMP_WORDS[i]}}" || path=${{COMP_WORDS[i]}} ;; esac
  done
  while :; do
    case "$path" in
{chr(10).join(cases)}
      *) [[ "$path" == *" "* ]] && {{ path=${{path% *}}; continue; }}; words="" ;;
    esac
    break
  done
  if [[ "$cur" == -* || ${{#path}} -eq 0 || "$path" == recipe ]]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  fi
  [[ ${{#COMPREPLY[@]}} -eq 0 ]] && COMPREPLY=($(compgen -f -- "$cur"))
  return 0
}}
complete -o filenames -F _mtool mtool
"""


def zsh_completion(found):
    lines = ["#compdef mtool", "# zsh completion for mtool (generated from mtool --help by scripts/make_shell_docs.py)",
             "_mtool() {", "  local -a words_here", '  local path_here="${(j: :)${(@)words[2,CURRENT-1]:#-*}}"',
             '  case "$path_here" in']
    for words, parsed in found:
        subcommands = [(n, d) for t, e in parsed["sections"] if t == "Subcommands" for n, d in e]
        specs = [f"'{n}:{d.replace(chr(39), '')}'" for n, d in subcommands]
        specs += [f"'{f}:{d.replace(chr(39), '').replace(':', ' ')}'" for f, d in flags_of(parsed)]
        lines.append(f'    "{" ".join(words)}") words_here=({" ".join(specs)}) ;;')
    lines += ['    *) words_here=() ;;', "  esac",
              "  _describe 'mtool' words_here", "  _files", "}", '_mtool "$@"', ""]
    return "\n".join(lines)


def fish_completion(found):
    lines = ["# fish completion for mtool (generated from mtool --help by scripts/make_shell_docs.py)"]
    top = found[0][1]
    names = [n for t, e in top["sections"] if t == "Subcommands" for n, _ in e]
    for words, parsed in found:
        if words:
            condition = f"__fish_seen_subcommand_from {words[-1]}"
        else:
            condition = "not __fish_seen_subcommand_from " + " ".join(names)
        for title, entries in parsed["sections"]:
            if title == "Subcommands":
                for name, description in entries:
                    lines.append(f"complete -c mtool -n '{condition}' -f -a {name} -d {quote_fish(description)}")
        for flag, description in flags_of(parsed):
            option = f"-l {flag[2:]}" if flag.startswith("--") else f"-s {flag[1:]}"
            lines.append(f"complete -c mtool -n '{condition}' {option} -d {quote_fish(description)}")
    return "\n".join(lines) + "\n"


def quote_fish(text):
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def main():
    mtool, template, out_dir = sys.argv[1:4]
    found = commands(mtool)
    version = subprocess.run([mtool, "--version"], capture_output=True, text=True).stdout.split()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    page = Path(template).read_text()
    page = page.replace("@VERSION@", version[1] if len(version) > 1 else "").replace("@COMMANDS@", man_commands(found))
    (out / "mtool.1").write_text(page)
    (out / "mtool.bash").write_text(bash_completion(found))
    (out / "_mtool").write_text(zsh_completion(found))
    (out / "mtool.fish").write_text(fish_completion(found))


if __name__ == "__main__":
    main()
