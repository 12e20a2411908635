"""The expansion loop: read tokens, call macros, push results back.

SYNOPSIS
    exp = Expander(options, stdout=sys.stdout.buffer, stderr=sys.stderr.buffer)
    exp.process_file(text, "sendmail.mc")
    exp.finish()                # m4wrap text, then diversions to stdout

DESCRIPTION
    Mirrors GNU m4's macro.c. Top-level tokens are copied to the current
    diversion; a word that names a macro is expanded: its arguments are collected
    when '(' follows at once (a blind builtin is not a call without it), each
    argument with its unquoted leading whitespace skipped, nested parentheses
    counted, quoted strings unquoted once and macro calls inside expanded; the
    macro's expansion is pushed back on the input and rescanned. User macros
    substitute $0..$9 (several digits outside -G), $#, $* and $@.

    The hot loops (top level and argument collection) match a plain run and the
    word after it with one regular expression over the top input block and look
    the word up in one dict; a whole simple argument (one quoted string, or plain
    text) is read with one match; everything else goes through
    Scanner.next_token. Locations are taken as cheap references and resolved
    only when a message, trace or __line__ needs them.

    Diagnostics follow GNU m4 1.4.19: warn() prints "Warning: ...", warn_argc()
    is the same for argument-count warnings (the only ones -Q hides), error()
    prints the bare message; all of them make the exit status 1 under -E and stop
    at once under -E -E; failure() always makes it 1. Messages are located at the
    line where the macro name was read, also when its arguments span lines; end
    of input inside an argument list is located where that argument began.

DIAGNOSTICS
    M4Fatal for end of input inside an argument list, string or comment, and for
    recursion past the nesting limit; M4Exit from m4exit and -E -E.

SEE ALSO
    m4compat.scanner, m4compat.symtab, m4compat.output, m4compat.builtins,
    GNU m4 manual "Macros", "Debugging"
"""

from __future__ import annotations

import os
import re
import sys

from m4compat.builtins import BUILTINS, BuiltinSpec
from m4compat.debug import Debug, DebugStream, Tracer
from m4compat.errors import M4Exit, M4Fatal, format_message
from m4compat.location import Location, fsname
from m4compat.output import Output
from m4compat.scanner import WORD_START, Scanner, Tok
from m4compat.source import Block, BlockKind, InputStack, resolve
from m4compat.symtab import Macro, SymbolTable

TYPE_CHECKING = False  # typing itself costs ~10 ms to import
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import BinaryIO

    from m4compat.gnuregex import GnuRegex
    from m4compat.source import LocRef

Arg = str | BuiltinSpec
STRING = BlockKind.STRING


class Options:
    """Settings from the command line (GNU m4 1.4.19 flags)."""

    __slots__ = (
        "arg_length",
        "debug",
        "fatal_warnings",
        "hash_size",
        "include_path",
        "interactive",
        "nesting_limit",
        "prefix_builtins",
        "program",
        "quiet",
        "synclines",
        "traditional",
    )

    def __init__(
        self,
        program: str = "m4",
        prefix_builtins: bool = False,
        synclines: bool = False,
        fatal_warnings: int = 0,
        quiet: bool = False,
        traditional: bool = False,
        nesting_limit: int = 0,
        debug: Debug = Debug.NONE,
        arg_length: int = 0,
        include_path: list[str] | None = None,
        interactive: bool = False,
        hash_size: int = 65537,
    ) -> None:
        self.program = program
        self.prefix_builtins = prefix_builtins  # -P
        self.synclines = synclines  # -s
        self.fatal_warnings = fatal_warnings  # -E count
        self.quiet = quiet  # -Q
        self.traditional = traditional  # -G
        self.nesting_limit = max(nesting_limit, 0)  # -L; as in GNU, <= 0 is unlimited
        self.debug = debug  # -d
        self.arg_length = max(arg_length, 0)  # -l; <= 0 is unlimited
        self.include_path = include_path if include_path is not None else []  # -I, M4PATH
        self.interactive = interactive  # -i
        self.hash_size = hash_size  # -H: only orders the symbols of a frozen file


_USER_ARG_RE = re.compile(r"\$(?:([0-9]+)|([#*@]))")
_USER_ARG_RE_TRADITIONAL = re.compile(r"\$(?:([0-9])|([#*@]))")


class Expander:
    """One m4 run: symbol table, input, output and diagnostics."""

    def __init__(
        self,
        options: Options,
        stdout: BinaryIO | None,
        stderr: BinaryIO,
        builtins: bool = True,
    ) -> None:
        self.options = options
        self.program = options.program
        self.stderr = stderr
        self.symtab = SymbolTable()
        self.stack = InputStack()
        self.blocks = self.stack.blocks
        self.scanner = Scanner(self.stack, on_pop=self._on_pop)
        self.output = Output(stdout)
        self.debug_stream = DebugStream(stderr)
        self.debug_stream.attach_stdout(self.output.stdout_parts, self.output.sink_fd())
        self.tracer = Tracer(self.debug_stream)
        self.tracer.flags = options.debug
        self.tracer.arg_length = options.arg_length
        self.level = 0
        self.call_id = 0
        self.exit_status = 0
        self.sysval = 0
        self.wrapups: list[tuple[str, Location]] = []
        self.loc_override: LocRef | None = None
        self.raw_argv: list[Arg] = []
        # Set by builtins that read input themselves (dnl), for trace locations.
        self.input_read = False
        self._template_cache: dict[str, list[str | int]] = {}
        self._user_arg_re = _USER_ARG_RE_TRADITIONAL if options.traditional else _USER_ARG_RE
        self._macro_sequence: GnuRegex | None = None  # --warn-macro-sequence
        # API hook (m4compat.expand's resolve_include): consulted by include and
        # sinclude before the path search; None from it means search as usual.
        self.include_resolver: Callable[[str], str | None] | None = None
        if builtins:
            self.install_builtins()

    # -- setup --------------------------------------------------------------------

    def install_builtins(self) -> None:
        prefix = "m4_" if self.options.prefix_builtins else ""
        for spec in BUILTINS.values():
            if spec.gnu_only and self.options.traditional:
                continue
            if spec.traditional_only and not self.options.traditional:
                continue
            name = prefix + spec.name
            self.symtab.define(name, Macro(name, builtin=spec))
        # Predefined text macros, never prefixed by -P.
        for name in ("unix",) if self.options.traditional else ("__gnu__", "__unix__"):
            self.symtab.define(name, Macro(name, ""))

    def set_macro_sequence(self, pattern: str) -> None:
        """--warn-macro-sequence: warn when a definition matches this GNU regexp."""
        from m4compat.gnuregex import gnu_regex

        self._macro_sequence = gnu_regex(pattern)

    def check_macro_sequence(self, name: str, text: str) -> None:
        """GNU's loop: warn for each match, go on after it; step over empty ones."""
        if self._macro_sequence is None:
            return
        pos = 0
        while pos <= len(text):
            m = self._macro_sequence.search(text, pos)
            if m is None:
                return
            if m.end() == m.start():
                pos = m.start() + 1
                continue
            self.warn(f"definition of `{name}' contains sequence `{text[m.start() : m.end()]}'")
            pos = m.end()

    def close(self) -> None:
        self.debug_stream.set_file(None)

    # -- diagnostics --------------------------------------------------------------

    def location(self) -> Location:
        if self.loc_override is not None:
            return resolve(self.loc_override)
        return self.stack.location()

    def _emit(self, message: str, location: Location | None) -> None:
        # GNU error() flushes stdout first, so 2>&1 interleaves in order.
        self.output.flush()
        self.stderr.write(
            (format_message(self.program, location, message) + "\n").encode("latin-1", "replace")
        )
        self.stderr.flush()

    def _after_diagnostic(self) -> None:
        if self.options.fatal_warnings:
            self.exit_status = 1
            if self.options.fatal_warnings > 1:
                raise M4Exit(1)

    def warn(self, message: str) -> None:
        """GNU warning: "Warning: ..."; an error under -E."""
        self._emit("Warning: " + message, self.location())
        self._after_diagnostic()

    def warn_argc(self, message: str) -> None:
        """Too few / excess arguments: the warnings -Q suppresses (GNU bad_argc)."""
        if not self.options.quiet:
            self.warn(message)

    def error(self, message: str) -> None:
        """GNU non-fatal error: printed always; exit status 1 under -E."""
        self._emit(message, self.location())
        self._after_diagnostic()

    def failure(self, message: str) -> None:
        """A non-fatal error that always makes the exit status 1 (e.g. include)."""
        self._emit(message, self.location())
        self.exit_status = 1
        if self.options.fatal_warnings > 1:
            raise M4Exit(1)

    def failure_at(self, location: Location | None, message: str) -> None:
        """failure() at an explicit location (None: no location, as for command-line files)."""
        self._emit(message, location)
        self.exit_status = 1
        if self.options.fatal_warnings > 1:
            raise M4Exit(1)

    def fatal(self, message: str, location: Location | None = None) -> M4Fatal:
        return M4Fatal(message, self.location() if location is None else location)

    def report_plain(self, message: str) -> None:
        """A message with the program name and no location; exit status unchanged."""
        self._emit(message, None)

    def report_fatal(self, exc: M4Fatal) -> None:
        self._emit(exc.message, exc.location)

    def debug_message(self, text: str, location: Location | None = None) -> None:
        self.tracer.message(text, self.location() if location is None else location)

    def _on_pop(self, block: Block) -> None:
        # GNU forces the next sync line, with the file name, once a file is closed.
        self.output.sync_line = -1
        if self.tracer.flags & Debug.INPUT:
            # Reported at the end of the file just closed; the input underneath
            # (a file, or pushed text such as m4wrap's) names where reading goes on.
            override = self.loc_override
            if isinstance(override, tuple) and override[0] is block:
                # A builtin reading on in the file of its call (dnl) ran into its
                # end: GNU's current line is still the call's, set for the call.
                where = resolve(override)
            else:
                where = self.stack.exhausted_file or self.stack.location()
            # GNU names the block that was under the file when it was pushed, and
            # the macro call that pushed it (push_string_init) first dropped the
            # pushed-back strings already read to their end: an include() that
            # ends an expansion or the m4wrap text reverts to what lies below.
            blocks = self.blocks
            depth = len(blocks)
            while depth:
                below = blocks[depth - 1]
                if below.kind is not BlockKind.STRING or below.pos < len(below.text):
                    break
                depth -= 1
            if depth:
                now = resolve(InputStack.here_in(blocks[:depth], None))
                self.tracer.message(f"input reverted to {now.file}, line {now.line}", where)
            else:
                self.tracer.message("input exhausted", where)

    # -- input ----------------------------------------------------------------------

    def push_file(self, text: str, name: str, top_level: bool = False) -> None:
        """Push a file's text; top_level for command-line inputs (no current line)."""
        if self.tracer.flags & Debug.INPUT:
            where = Location("", 0) if top_level else None
            self.debug_message(f"input read from {name}", where)
        if "\0" in text:
            self.scanner.nul = True
        # GNU's push_file, like closing a file, forces the next sync line and its
        # file name: it matters when nothing of the new file reaches the output
        # (an include inside an argument list).
        self.output.sync_line = -1
        self.stack.push_file(text, name)

    def process_file(self, text: str, name: str) -> None:
        """Expand one command-line input completely (GNU process_file)."""
        self.push_file(text, name, top_level=True)
        self.expand_input()

    def run_wrapups(self) -> None:
        """Reread m4wrap text until none is left (last saved, first read)."""
        while self.wrapups:
            pending = self.wrapups
            self.wrapups = []
            # All of them are pushed at once and read as one stream (a word may
            # span two of them), the last saved on top.
            for text, location in pending:
                self.stack.push_string(text, location)
            self.expand_input()

    def finish(self) -> None:
        self.run_wrapups()
        self.output.finish()

    # -- the expansion loops --------------------------------------------------------

    def expand_input(self) -> None:
        """Expand tokens until the input stack is empty (GNU expand_input)."""
        scanner = self.scanner
        if (
            self.options.synclines
            or self.options.interactive
            or scanner.nul
            or (scanner.bcomm and scanner.bcomm[0] in WORD_START)
        ):
            self._expand_input_general()
            return
        blocks = self.blocks
        scanner = self.scanner
        defs = self.symtab.defs
        output = self.output
        macdef = BlockKind.MACDEF
        while blocks:
            block = blocks[-1]
            text = block.text
            pos = block.pos
            end = len(text)
            if pos >= end or block.kind is macdef:
                if scanner.top() is not None and blocks[-1].kind is macdef:
                    blocks.pop()  # a builtin token at top level expands to nothing
                continue
            if scanner.bcomm and scanner.bcomm[0] in WORD_START:
                self._expand_input_general()
                return
            match = scanner.plain_word_re.match
            cur = output.current
            while True:
                m = match(text, pos)
                assert m is not None
                plain_end = m.end(1)
                if plain_end != pos and cur is not None:
                    cur.append(text[pos:plain_end])
                word = m.group(2)
                if word is None:
                    block.pos = plain_end
                    if plain_end < end:
                        self._top_level_token()
                    break
                pos = m.end()
                block.pos = pos
                if pos == end:
                    word += scanner.word_tail()
                    self._top_level_word(word)
                    break
                macro = defs.get(word)
                if macro is None:
                    if cur is not None:
                        cur.append(word)
                    continue
                spec = macro.builtin
                paren = text[pos] == "(" and (scanner.paren_simple or scanner.peek_is_open())
                if spec is not None and spec.blind and not paren:
                    if cur is not None:
                        cur.append(word)
                    continue
                self.expand_macro(macro, word, paren)
                break
            if len(output.stdout_parts) > 8192:
                output.flush()

    def _top_level_word(self, word: str) -> None:
        macro = self.symtab.defs.get(word)
        if macro is None or (
            macro.builtin is not None and macro.builtin.blind and not self.scanner.peek_is_open()
        ):
            self.output.write(word)
        else:
            self.expand_macro(macro, word)

    def _top_level_token(self) -> None:
        kind, value = self.scanner.next_token()
        if kind is Tok.WORD:
            assert isinstance(value, str)
            self._top_level_word(value)
        elif kind is not Tok.MACDEF and kind is not Tok.EOF:
            assert isinstance(value, str)
            self.output.write(value)

    def _expand_input_general(self) -> None:
        """Token-by-token loop: for -s, -i, NUL bytes and comments that start like words."""
        scanner = self.scanner
        output = self.output
        sync = self.options.synclines
        interactive = self.options.interactive  # -i: unbuffered output
        while True:
            location = self._peek_location()
            kind, value = scanner.next_token()
            if kind is Tok.EOF:
                return
            if kind is Tok.MACDEF:
                continue
            assert isinstance(value, str)
            if kind is Tok.WORD:
                macro = self.symtab.defs.get(value)
                if macro is not None and not (
                    macro.builtin is not None and macro.builtin.blind and not scanner.peek_is_open()
                ):
                    self.expand_macro(macro, value)
                    continue
            if sync:
                # GNU takes the line where the token began but the file it is in
                # once read: a word that ran out of an include into its parent
                # reports the include's line with the parent's name.
                output.ship(value, location.line, self.stack.location().file)
            else:
                output.write(value)
            if interactive:
                output.flush()

    def _peek_location(self) -> Location:
        """Location of the token about to be read (its first character's line)."""
        self.scanner.top()
        return resolve(self.stack.token_start())

    # -- macro calls ----------------------------------------------------------------

    def expand_macro(self, macro: Macro, name: str, open_paren: bool | None = None) -> None:
        """Collect arguments if '(' follows, call, push the expansion back.

        open_paren: whether an argument list follows, when the caller already knows.
        """
        self.level += 1
        self.call_id += 1
        location = self.stack.here()
        limit = self.options.nesting_limit
        if limit and self.level > limit:
            raise M4Fatal(
                f"recursion limit of {limit} exceeded, use -L<N> to change it", resolve(location)
            )
        traced_names = self.symtab.traced
        if self.tracer.trace_all or (traced_names and name in traced_names):
            self._traced_call(macro, name, location)
            return
        if open_paren is None:
            if self.scanner.peek_is_open():
                self.scanner._skip(1)
                args, plain = self.collect_args()
            else:
                args, plain = [], True
        elif open_paren:
            self.blocks[-1].pos += 1  # the caller saw '(' right there
            args, plain = self.collect_args()
        else:
            args, plain = [], True
        saved = self.loc_override
        self.loc_override = location
        try:
            spec = macro.builtin
            if spec is None:
                expansion = self.expand_user(macro.text, name, args, plain)
            else:
                expansion = self.call_builtin(spec, name, args, plain)
        finally:
            self.loc_override = saved
        if expansion:
            self.blocks.append(Block(STRING, expansion, loc=location))
        self.level -= 1

    def _traced_call(self, macro: Macro, name: str, ref: LocRef) -> None:
        """expand_macro for a traced macro: the same steps plus trace lines."""
        tracer = self.tracer
        call_id = self.call_id
        location = resolve(ref)
        if tracer.flags & Debug.CALL:
            tracer.trace_prepre(name, call_id, self.level, location)
        if self.scanner.peek_is_open():
            self.scanner._skip(1)
            args, _ = self.collect_args()
        else:
            args = []
        self._trace_pre(name, call_id, args, location)
        saved = self.loc_override
        self.loc_override = ref
        self.input_read = False
        top = self.blocks[-1] if self.blocks else None
        try:
            expansion = self.call_macro(macro, name, args)
        finally:
            self.loc_override = saved
        if self.input_read:
            # The call read input (dnl). While it stays in the file of the call GNU
            # keeps the call's line (set for the call; a newline read counts only
            # once the next character is). Once it moved to other input, GNU
            # reports where reading stopped, or no position once the input ended.
            if not (isinstance(ref, tuple) and self.blocks and self.blocks[-1] is ref[0] is top):
                location = self.stack.location() if self.blocks else Location("", 0)
        # GNU shows no expansion at all for an empty one, except from patsubst with
        # arguments, which always hands its (maybe empty) result over.
        shown: str | None = expansion
        if not expansion and not (
            macro.builtin is not None and macro.builtin.name == "patsubst" and args
        ):
            shown = None
        tracer.trace_post(name, call_id, self.level, len(args), shown, location)
        if expansion:
            self.stack.push_string(expansion, ref)
        self.level -= 1

    def _trace_pre(self, name: str, call_id: int, args: list[Arg], location: Location) -> None:
        self.tracer.lquote = self.scanner.lquote
        self.tracer.rquote = self.scanner.rquote
        texts: list[str | None] = [a if isinstance(a, str) else None for a in args]
        names: list[str | None] = [None if isinstance(a, str) else a.name for a in args]
        self.tracer.trace_pre(name, call_id, self.level, texts, location, names)

    def call_macro(self, macro: Macro, name: str, args: list[Arg]) -> str:
        """Run a macro with arguments (without the name); return its expansion."""
        plain = all(isinstance(a, str) for a in args)
        spec = macro.builtin
        if spec is None:
            return self.expand_user(macro.text, name, args, plain)
        return self.call_builtin(spec, name, args, plain)

    def call_builtin(
        self, spec: BuiltinSpec, name: str, args: list[Arg], plain: bool = False
    ) -> str:
        """Check the argument count (GNU bad_argc) and run a builtin.

        plain: no argument is a builtin token, so args can serve as text as they are.
        """
        nargs = len(args)
        if nargs < spec.min_args:
            self.warn_argc(f"too few arguments to builtin `{name}'")
            return ""
        if spec.max_args is not None and nargs > spec.max_args:
            self.warn_argc(f"excess arguments to builtin `{name}' ignored")
        raw: list[Arg] = [name, *args]
        self.raw_argv = raw
        if plain:
            result: str = spec.func(self, raw)
        else:
            result = spec.func(self, [a if isinstance(a, str) else "" for a in raw])
        return result

    def expand_user(self, text: str, name: str, args: list[Arg], plain: bool = False) -> str:
        """Substitute $n, $#, $*, $@ in a user macro's text (GNU expand_user_macro)."""
        if "$" not in text:
            return text
        template = self._template_cache.get(text)
        if template is None:
            template = self._compile_template(text)
        argv: list[str]
        if plain:
            argv = [name, *args]  # type: ignore[list-item]
        else:
            argv = [name, *(a if isinstance(a, str) else "" for a in args)]
        parts: list[str] = []
        append = parts.append
        nargv = len(argv)
        for piece in template:
            if piece.__class__ is str:
                append(piece)
            elif piece >= 0:  # type: ignore[operator]
                if piece < nargv:  # type: ignore[operator]
                    append(argv[piece])  # type: ignore[index]
            elif piece == -1:  # $#
                append(str(nargv - 1))
            elif piece == -2:  # $*
                append(",".join(argv[1:]))
            else:  # $@
                lq, rq = self.scanner.lquote, self.scanner.rquote
                append(",".join(lq + a + rq for a in argv[1:]))
        return "".join(parts)

    def _compile_template(self, text: str) -> list[str | int]:
        template: list[str | int] = []
        pos = 0
        for m in self._user_arg_re.finditer(text):
            if m.start() > pos:
                template.append(text[pos : m.start()])
            digits, special = m.group(1), m.group(2)
            if digits is not None:
                template.append(int(digits))
            else:
                template.append({"#": -1, "*": -2, "@": -3}[special])
            pos = m.end()
        if pos < len(text):
            template.append(text[pos:])
        if len(self._template_cache) > 4096:
            self._template_cache.clear()
        self._template_cache[text] = template
        return template

    def collect_args(self) -> tuple[list[Arg], bool]:
        """Read arguments after '(' through the matching ')' (GNU collect_arguments).

        Returns the arguments and whether all of them are text (no builtin token).
        """
        scanner = self.scanner
        blocks = self.blocks
        defs = self.symtab.defs
        macdef = BlockKind.MACDEF
        args: list[Arg] = []
        plain = True
        while True:
            # GNU reports end of input at the line where the current argument began.
            location = self.stack.here()
            # Fetched per argument: a macro call in the previous one may change quotes.
            simple_arg = scanner.simple_arg_re
            if simple_arg is not None and blocks and not scanner.nul:
                block = blocks[-1]
                m = simple_arg.match(block.text, block.pos)
                if m is not None:
                    block.pos = m.end()
                    value = m.group(1)
                    args.append(value if value is not None else m.group(2) or "")
                    if m.group(3) == ")":
                        return args, plain
                    continue
            scanner.skip_whitespace()
            parts: list[str] = []
            append = parts.append
            func: BuiltinSpec | None = None
            depth = 0
            more = False  # a comma ended this argument
            while True:
                if not blocks:
                    raise M4Fatal("ERROR: end of file in argument list", resolve(location))
                block = blocks[-1]
                text = block.text
                pos = block.pos
                end = len(text)
                if pos >= end or block.kind is macdef:
                    top = scanner.top()
                    if top is None:
                        raise M4Fatal("ERROR: end of file in argument list", resolve(location))
                    if top.kind is macdef:
                        blocks.pop()
                        assert top.macdef is not None
                        if func is None and not any(parts):
                            func = top.macdef
                    continue
                match = scanner.arg_plain_word_re.match
                simple = scanner.paren_simple
                quote1 = scanner.quote1
                while True:
                    m = match(text, pos)
                    assert m is not None
                    plain_end = m.end(1)
                    if plain_end != pos:
                        if scanner.nul:
                            append(text[pos:plain_end].replace("\0", ""))
                        else:
                            append(text[pos:plain_end])
                    word = m.group(2)
                    if word is not None:
                        pos = m.end()
                        block.pos = pos
                        if pos == end:
                            word += scanner.word_tail()
                            macro = defs.get(word)
                            if macro is None or (
                                macro.builtin is not None
                                and macro.builtin.blind
                                and not scanner.peek_is_open()
                            ):
                                append(word)
                            else:
                                self.expand_macro(macro, word)
                            break
                        macro = defs.get(word)
                        if macro is None:
                            append(word)
                            continue
                        spec = macro.builtin
                        paren = text[pos] == "(" and (simple or scanner.peek_is_open())
                        if spec is not None and spec.blind and not paren:
                            append(word)
                            continue
                        self.expand_macro(macro, word, paren)
                        break
                    pos = plain_end
                    block.pos = pos
                    if pos >= end:
                        break
                    ch = text[pos]
                    if simple and (ch == "(" or ch == "," or ch == ")"):
                        pos += 1
                        if ch == "(":
                            depth += 1
                            append(ch)
                            continue
                        if depth == 0:
                            block.pos = pos
                            more = ch == ","
                            depth = -1
                            break
                        if ch == ")":
                            depth -= 1
                        append(ch)
                        continue
                    if ch == quote1:
                        append(scanner.quoted_here(block))
                        break
                    self._arg_token(parts, depth, location)
                    depth = self._depth
                    if depth < 0:
                        more = self._more
                    func = self._func_after(parts, func)
                    break
                if depth < 0:
                    break
            arg = self._finish_arg(parts, func)
            if arg.__class__ is not str:
                plain = False
            args.append(arg)
            if not more:
                return args, plain

    _depth = 0
    _more = False
    _pending_func: BuiltinSpec | None = None

    def _func_after(self, parts: list[str], func: BuiltinSpec | None) -> BuiltinSpec | None:
        pending = self._pending_func
        self._pending_func = None
        if pending is not None and func is None and not any(parts):
            return pending
        return func

    def _arg_token(self, parts: list[str], depth: int, location: LocRef) -> None:
        """One token of an argument by the general path; updates _depth and _more."""
        scanner = self.scanner
        kind, value = scanner.next_token()
        self._more = False
        if kind is Tok.EOF:
            raise M4Fatal("ERROR: end of file in argument list", resolve(location))
        if kind is Tok.STRING or kind is Tok.COMMENT or kind is Tok.SIMPLE:
            assert isinstance(value, str)
            parts.append(value)
        elif kind is Tok.WORD:
            assert isinstance(value, str)
            macro = self.symtab.defs.get(value)
            if macro is None or (
                macro.builtin is not None and macro.builtin.blind and not scanner.peek_is_open()
            ):
                parts.append(value)
            else:
                self.expand_macro(macro, value)
        elif kind is Tok.OPEN:
            depth += 1
            parts.append("(")
        elif kind is Tok.CLOSE or kind is Tok.COMMA:
            if depth == 0:
                self._more = kind is Tok.COMMA
                depth = -1
            else:
                if kind is Tok.CLOSE:
                    depth -= 1
                assert isinstance(value, str)
                parts.append(value)
        elif kind is Tok.MACDEF:
            assert isinstance(value, BuiltinSpec)
            self._pending_func = value
        self._depth = depth

    @staticmethod
    def _finish_arg(parts: list[str], func: BuiltinSpec | None) -> Arg:
        if func is not None:
            return func
        return "".join(parts)

    # -- services for builtins --------------------------------------------------------

    def quote(self, text: str) -> str:
        """Text wrapped in the current quotes (so it is not rescanned)."""
        return f"{self.scanner.lquote}{text}{self.scanner.rquote}"

    def lookup(self, name: str) -> Macro | None:
        return self.symtab.defs.get(name)

    def find_include(self, name: str, top_level: bool = False) -> str | None:
        """GNU path search: as given, then -I dirs, then M4PATH; None if not found.

        top_level: for a command-line input, whose search GNU reports without a
        location (no file is being read then).
        """
        candidates = [name]
        # -G turns the search path off (it is a GNU extension).
        if not os.path.isabs(name) and not self.options.traditional:
            candidates += [os.path.join(d, name) for d in self.options.include_path]
        for candidate in candidates:
            path = fsname(candidate)
            if os.path.exists(path) and not os.path.isdir(path):
                if self.tracer.flags & Debug.PATH and candidate != name:
                    where = Location("", 0) if top_level else None
                    self.debug_message(f"path search for `{name}' found `{candidate}'", where)
                return candidate
        return None

    def flush_stdout(self) -> None:
        self.output.flush()

    def exit_now(self, status: int) -> None:
        raise M4Exit(status)


def run_callable(func: Callable[[], None]) -> None:
    """Run func with a deep Python recursion limit (nested macro calls recurse)."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 200_000))
    try:
        func()
    finally:
        sys.setrecursionlimit(old)
