#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Compare tally's <corosync/*.h> with corosync's installed headers.

usage: abi-compare.py OUR_PROBE SYSTEM_PROBE OUR_INCLUDE_DIR -- CC... -- CXX...

Three kinds of facts are gathered for each side and must match line for line:

  probe   what abi_probe prints: constants, sizes, alignments, offsets and
          member types, as the compiler really laid them out;
  macro   the full `-dM` macro dump after including each header on its own,
          in C and in C++ (catches extra, missing or differently spelled
          macros, and a different set of system headers pulled in);
  decl    every declaration the two headers contribute to the preprocessed
          translation unit, as a token stream, in C and in C++ (catches extra
          enumerators, extra declarations, attributes, parameter types and
          names, and a missing extern "C"). Function bodies (cs_timestamp_get)
          are compared by signature only.

SYSTEM_PROBE "-" means corosync's headers are not installed: the test is
skipped (exit status 77). On any difference a unified diff is printed
(- tally, + corosync) and the exit status is 1.
"""

import difflib
import hashlib
import os
import re
import subprocess
import sys

SKIP = 77
HEADERS = ('corosync/corotypes.h', 'corosync/votequorum.h')
LANGS = ('c', 'c++')

LINEMARKER = re.compile(r'#\s*(?:line\s+)?\d+\s+"((?:[^"\\]|\\.)*)"')
TOKEN = re.compile(r'''
      "(?:[^"\\\n]|\\.)*"       # string literal
    | '(?:[^'\\\n]|\\.)*'       # character literal
    | \.?[0-9](?:[eEpP][+-]|[0-9A-Za-z_.])* # pp-number
    | [A-Za-z_][A-Za-z_0-9]*    # identifier
    | \S                # any other character
''', re.VERBOSE)


def fail(msg):
    print('abi-compare: ' + msg)
    sys.exit(1)


def run(cmd, stdin=None):
    try:
        res = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    except OSError as e:
        fail('cannot run %s: %s' % (cmd[0], e))
    if res.returncode != 0:
        fail('%s exited with %d:\n%s%s' % (' '.join(cmd), res.returncode,
                          res.stdout, res.stderr))
    return res.stdout


def preprocess(compiler, lang, inc, header, extra):
    cmd = list(compiler) + ['-x', lang, '-E'] + extra
    if inc:
        cmd += ['-I', inc]
    return run(cmd + ['-'], '#include <%s>\n' % header)


def corosync_header(path):
    """Which of HEADERS a preprocessor file name is, or None."""
    for h in HEADERS:
        if path == h or path.endswith('/' + h):
            return h
    return None


def declarations(text, resolved):
    """The tokens coming from HEADERS, one statement per line."""
    toks = []
    current = None
    for line in text.splitlines():
        m = LINEMARKER.match(line)
        if m:
            path = m.group(1)
            current = corosync_header(path)
            if current:
                resolved[current] = os.path.realpath(path)
            continue
        if current:
            toks += TOKEN.findall(line)

    out, cur, i, parens = [], [], 0, 0
    while i < len(toks):
        t = toks[i]
        if t == '{' and cur and cur[-1] == ')':
            # A function body: keep the signature, not the code.
            depth = 0
            while i < len(toks):
                depth += {'{': 1, '}': -1}.get(toks[i], 0)
                if depth == 0:
                    break
                i += 1
            out.append(' '.join(cur + ['{ <body> }']))
            cur = []
        else:
            cur.append(t)
            parens += {'(': 1, ')': -1}.get(t, 0)
            nxt = toks[i + 1] if i + 1 < len(toks) else ''
            # One enumerator or member per line; "} name;" stays whole.
            if t in (';', '{') or (t == ',' and parens == 0) or \
               (t == '}' and (nxt == 'extern' or not re.match(r'[\w;*]', nxt))):
                out.append(' '.join(cur))
                cur = []
        i += 1
    if cur:
        out.append(' '.join(cur))
    return out


def facts(probe, inc, compilers):
    """All facts about one side; inc is None for corosync's headers."""
    lines = ['probe ' + l for l in run([probe]).splitlines()]
    resolved = {}
    for lang in LANGS:
        for h in HEADERS:
            tag = '[%s %s]' % (lang, os.path.basename(h))
            dump = preprocess(compilers[lang], lang, inc, h, ['-dM'])
            lines += ['macro %s %s' % (tag, l) for l in sorted(dump.splitlines())]
            text = preprocess(compilers[lang], lang, inc, h, [])
            lines += ['decl %s %s' % (tag, l) for l in declarations(text, resolved)]
    return lines, resolved


def section_of(fact):
    """'probe', or 'macro [c votequorum.h]' and the like."""
    words = fact.split(' ')
    return ' '.join(words[:1] if words[0] == 'probe' else words[:3])


def digest(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def main(argv):
    try:
        cut1 = argv.index('--')
        cut2 = argv.index('--', cut1 + 1)
        ours_probe, system_probe, our_inc = argv[:cut1]
    except ValueError:
        fail(__doc__.split('\n\n')[1])
    compilers = {'c': argv[cut1 + 1:cut2], 'c++': argv[cut2 + 1:]}
    our_inc = os.path.realpath(our_inc)

    if system_probe == '-':
        print('SKIP: corosync/votequorum.h is not installed (libvotequorum-dev), '
              'nothing to compare against')
        return SKIP

    ours, ours_at = facts(ours_probe, our_inc, compilers)
    theirs, theirs_at = facts(system_probe, None, compilers)

    for h in HEADERS:
        if not ours_at.get(h, '').startswith(our_inc + os.sep):
            fail('tally side did not read %s from %s (got %s)' %
                 (h, our_inc, ours_at.get(h)))
        if h not in theirs_at:
            fail('corosync side never read %s' % h)
        if theirs_at[h].startswith(our_inc + os.sep):
            fail('corosync side read tally\'s %s' % theirs_at[h])
        if digest(theirs_at[h]) == digest(ours_at[h]):
            print('SKIP: %s is a copy of tally\'s own header '
                  '(tally installed over corosync?)' % theirs_at[h])
            return SKIP

    print('tally:    ' + ', '.join(ours_at[h] for h in HEADERS))
    print('corosync: ' + ', '.join(theirs_at[h] for h in HEADERS))
    if ours != theirs:
        print('tally\'s headers differ from corosync\'s (- tally, + corosync):')
        diff = list(difflib.unified_diff(ours, theirs, 'tally', 'corosync',
                         lineterm='', n=1))
        for l in diff:
            print(l)
        # The diff can be long (a stray #include adds hundreds of macros)
        # and test logs keep the tail: end with a per-section summary.
        summary = {}
        for l in diff[2:]:
            if l[:1] in '-+':
                only = summary.setdefault(section_of(l[1:]), [0, 0])
                only[0 if l[0] == '-' else 1] += 1
        print('FAIL: headers differ; lines only in tally / only in corosync per section:')
        for section, (mine, theirs_only) in summary.items():
            print('  %-28s %4d / %d' % (section, mine, theirs_only))
        return 1

    for l in ours:
        if l.startswith('probe '):
            print(l[len('probe '):])
    count = {}
    for l in ours:
        kind = l.split(' ', 1)[0]
        count[kind] = count.get(kind, 0) + 1
    print('identical: %d probe facts, %d macro lines, %d declaration lines' %
          (count['probe'], count['macro'], count['decl']))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
