"""What the goals ask for, parsed once per run: the :class:`GoalSpec` (English and Chinese).

Everything that needs to know what a goal asks (the checks, the state message, the tools that only make sense
for some goals) reads it from the spec instead of parsing the goal text again:

    spec = GoalSpec.parse(["Count the words in essay.txt and write the number to count.txt"], existing={"essay.txt"})
    spec.inputs   # ('essay.txt',)   given to read: stays as it is
    spec.outputs  # ('count.txt',)   asked for
    spec.computed # True             the number must come from a program, not from the model's head

A file the goals name is an *input* when it is in the workspace at the start and the goals do not say to write
or change it (or it is not there and they say to read it), an *output* when the goals say to write it, and a
*changed* file when the goals say to edit it or add to it. A file they only mention is none of these. This module depends on nothing else in autogpt.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence

from pydantic import BaseModel, Field

# --- file names ----------------------------------------------------------------------------------------------

_EXTENSIONS = ("txt md markdown rst csv tsv json jsonl yaml yml toml ini cfg xml html htm css js ts py ipynb sh "
               "sql log tex cpp hpp java go rs rb php svg png jpg jpeg gif pdf docx xlsx pptx bak orig conf").split()
# A file name with a known extension, not part of a longer word or an address. An ASCII name may touch CJK text
# (写入result.txt); a name with CJK characters (水果.txt) must stand apart, after a blank, a quote or a colon.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
# A suffix after the extension that keeps the name a name: a backup (config.ini.bak), an archive (data.csv.gz).
_SUFFIX = r"(?:\.(?:bak|orig|old|backup|tmp|gz|bz2|xz|zip))*"
_FILE_NAME = re.compile(r"(?:(?<![A-Za-z0-9_./\\-])([A-Za-z0-9_][A-Za-z0-9_./-]*\.(?:" + "|".join(_EXTENSIONS)
                        + r")" + _SUFFIX + r")|(?<=[\s\"'“「《(（：:])([A-Za-z0-9_" + _CJK + r"][A-Za-z0-9_./" + _CJK
                        + r"-]*\.(?:" + "|".join(_EXTENSIONS) + r")" + _SUFFIX + r"))(?![A-Za-z0-9_])", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>\"'`，。、；：！？）)\]]+")
_NOT_FILES = {"node.js", "vue.js", "next.js", "nuxt.js", "react.js", "three.js", "d3.js", "chart.js", "express.js"}
# Where a clause ends: the words before a file name in the same clause say what to do with it.
_CLAUSE_END = re.compile(r"[.;。；！!？?\n](?:\s|$)|[。；！？\n]")

# --- what a clause says to do with the file it names -----------------------------------------------------------

# ("refer to" before "refer": its "to" is not a writing word)
_READ = re.compile(r"\b(?:refers? to|according to|based on|compared to|due to|(?:copy|copies|backup|duplicate) of|"
                   r"(?:the )?same (?:content|contents|text|lines|bytes) as|identical to|(?:contents?|text|lines|rows|data|words|values|"
                   r"columns?|items) (?:of|in)|read|reads|reading|open|load|from|parse|"
                   r"count|analy[sz]e|summari[sz]e|compute|calculate|sum|average|filter|sort|check|see|refer|use|"
                   r"using|listed|given|found|contained|mentioned|shown)\b|读取|读|打开|从|根据|参见|参考|按照|计算|统计|"
                   r"分析|排序|筛选|检查|中的|里的|的副本|的备份|(?:内容|文本)(?:与|和|跟)", re.IGNORECASE)
_WRITE = re.compile(r"\b(?:write|writes|writing|save|saves|create|creates|output|into|to|produce|"
                    r"store|generate|put|make|export)\b|写入|写到|写进|写成|写|保存|存为|存到|存|生成|创建|输出|导出|到",
                    re.IGNORECASE)
_CHANGE = re.compile(r"\b(?:fix|fixes|edit|edits|update|updates|modify|modifies|change|changes|correct|rewrite|"
                     r"refactor|replace|clean|reformat|patch|repair|repairs|add|adds|append|appends|insert|inserts|remove|delete)\b|"
                     r"修改|修复|修正|更新|改正|改写|改动|替换|编辑|添加|追加|加上|增加|插入|删除", re.IGNORECASE)
# "Do not change config.ini", "不要修改 a.txt": a change word said not to do
_NEGATED = re.compile(r"(?:\b(?:do not|don't|dont|never|must not|mustn't|should not|shouldn't|without|not)\s+"
                      r"(?:\w+\s+){0,2}|(?:不要|不得|不能|不可|别|勿|切勿|禁止|无需|不用)\s*)$", re.IGNORECASE)
# "leave notes.txt unchanged", "config.ini must stay as it is", "保持 a.txt 不变": the file is the user's, kept as it is
_KEPT_AFTER = re.compile(r"\s*(?:(?:must|should|has to|needs to|is to|will)\s+)?(?:stays?|remains?)\s+(?:exactly\s+)?"
                         r"(?:unchanged|untouched|intact|as it is|as is|the same)\b|\s*(?:must|should|is) not (?:to )?"
                         r"(?:be )?(?:changed|modified|edited|touched|overwritten)\b|\s*(?:保持)?(?:不变|原样|不动)|"
                         r"\s*(?:不要|不得|不能)(?:被)?(?:修改|改动|改变)", re.IGNORECASE)
_KEPT_AROUND = (re.compile(r"\b(?:leave|leaves|keep|keeps)\s+(?:the\s+(?:file\s+)?)?$|保持\s*$", re.IGNORECASE),
                re.compile(r"\s*(?:unchanged|untouched|intact|alone|as it is|as is|the same)\b|\s*不变", re.IGNORECASE))
_ZH_PLACE = re.compile(r"[在向往给]\s*$")
# "input.json lists items", "inventory.txt gives the quantity": a file that is the subject of a sentence is data
_SUBJECT = re.compile(r"\s*(?:\(|（)?(?:lists|has|have|contains|gives|holds|shows|describes|includes|records|is a|are "
                      r"the)\b|\s*(?:中有|里有|包含|列出了|记录了|给出了|是一个)", re.IGNORECASE)
_ADD = re.compile(r"\b(?:add|adds|append|appends|insert|inserts)\b|添加|追加|加上|增加|插入", re.IGNORECASE)  # 在 todo.txt 末尾添加一行: the verb comes after the file

# --- what kind of answer the goals want --------------------------------------------------------------------------

# Asked to work something out (with or without data): the result must come from a program.
_COMPUTE = re.compile(r"\b(?:calculate|calculates|compute|computes|computed|work out|tally)\b|计算|算出|求出|求和",
                      re.IGNORECASE)
# A quantity over the task's data: computed when the goals give files to read.
_AGGREGATE = re.compile(r"\b(?:count|counts|how many|how much|number of|sum|total|average|mean|median|maximum|"
                        r"minimum|percentage|ratio)\b|统计|总和|总数|合计|平均|多少|几个|几行|最大值|最小值|百分比",
                        re.IGNORECASE)
# A result that nobody knows by heart.
_ALGORITHMIC = re.compile(r"\b(?:fibonacci|primes?|factorial|sha-?\d+|md5|hash|checksum|digits? sum|sum of (?:the )?"
                          r"digits|gcd|lcm)\b|斐波那契|质数|素数|阶乘|哈希|校验和", re.IGNORECASE)
# Worked out, never stated by a file: "calculate", "the sum of", "the average" (not "how many", which a file may
# state: "how many days do I have to return an item?").
_DERIVED = re.compile(r"\b(?:calculate|calculates|compute|computes|work out|sum of|average|median|(?:the|arithmetic) "
                      r"mean|mean (?:of|value))\b|"
                      r"计算|算出|求出|求和|总和|平均", re.IGNORECASE)
# "rounded to two decimal places", "with 2 decimals", 保留两位小数, 精确到小数点后两位
_DECIMALS = re.compile(r"\b(?P<n>one|two|three|four|[1-6])\s+(?:decimal\s+places?|decimals|decimal\s+digits?|"
                       r"digits?\s+after\s+the\s+decimal\s+point)\b|(?:保留|精确到|取)\s*(?:到\s*)?(?:小数点后)?\s*"
                       r"(?P<zh>[1-6一两二三四五六])\s*位(?:小数)?|小数点后\s*(?P<after>[1-6一两二三四五六])\s*位",
                       re.IGNORECASE)
_AT_MOST = re.compile(r"\b(?:up to|at most|no more than|not more than|a maximum of)\s*$|(?:最多|不超过|至多)\s*$",
                      re.IGNORECASE)  # "up to two decimal places": fewer are right too
_TRANSLATE = re.compile(r"\btranslat(?:e|es|ed|ing|ion)\b(?!\.\w)|翻译|译成|译为|翻成", re.IGNORECASE)
_WEB = re.compile(r"\b(?:web|website|web ?page|online|internet|search|look up|google|news|latest)\b|"
                  r"网上|网页|网站|搜索|上网|最新|新闻", re.IGNORECASE)
# "Read instructions.txt and carry out every instruction in it": the files those instructions make are outputs too.
_FOLLOW = re.compile(r"\b(?:carry out|carries out|follow|follows|do what|does what|execute|perform)\b|"
                     r"按照|遵照|照着|照做|执行", re.IGNORECASE)
_DEFINITION = re.compile(r"\b(?:function|method)\s+`?([A-Za-z_]\w*)\s*\(|\bclass\s+`?([A-Z]\w*)|"
                         r"(?:函数|方法)\s*`?([A-Za-z_]\w*)\s*\(|类\s*`?([A-Z]\w*)")
# "Write a Python program that ...", "a shell script", "写一个程序": code is what the goals ask for
_CODE_ASKED = re.compile(r"\b(?:python|javascript|js|sql|bash|shell|a|an|the|small|short|simple)\s+(?:\w+\s+)?"
                         r"(?:program|script|function|module|class)\b|写(?:一个|一段)?\S{0,6}?(?:程序|代码|脚本|函数)",
                         re.IGNORECASE)
# "slugify('Hello World') == 'hello-world'", "parse_duration('1h') returns 3600", "add(2, 3) → 5"
_VALUE = r"""'[^'\n]*'|"[^"\n]*"|-?\d+(?:\.\d+)?|True|False|None|\[[^\]\n]*\]|\([^)\n]*\)"""
_ARGS = r"""(?:[^()'"\n]|'[^'\n]*'|"[^"\n]*")*"""
_BARE_EXAMPLE = re.compile(r"(?<![\w)])(?P<arg>'[^'\n]*'|\"[^\"\n]*\"|-?\d+(?:\.\d+)?)\s*(?:->|→|=>)\s*"
                           r"(?P<value>" + _VALUE + ")")
_EXAMPLE = re.compile(r"(?<![\w.])(?P<call>[A-Za-z_]\w*\(" + _ARGS + r"\))\s*(?:==|->|→|=>|returns|gives|should "
                      r"return|is|返回|得到|等于)\s*(?P<value>" + _VALUE + ")")

# --- texts to reproduce and sizes asked for ----------------------------------------------------------------------

_QUOTE = r"\"([^\"\n]{1,400})\"|“([^”\n]{1,400})”|「([^」\n]{1,400})」|'([^'\n]{1,400})'"
_DATA_QUOTE = re.compile(_QUOTE.rsplit("|", 1)[0])  # _QUOTE without '…': apostrophes
# A quoted text said to be what an output holds: "hello.txt containing 'Hi'", "Write 'Hi' to hello.txt",
# "把“你好”写入 a.txt". {file} is filled in with the output's name.
_HOLDS = (r"{file}[^.;\n]{{0,40}}?(?:\bcontaining|\bcontains?|\bthat says|\bsaying|\bwith the (?:text|line|content)|"
          r"\bholding|内容为|内容是)\s*(?:exactly\s+)?(?:the (?:text|line|sentence|words?)\s+)?[:：]?\s*(?:{quote})")
# "Add the item 'renew passport' (without the quotes) as a new last line of todo.txt" names the line to add.
_PUTS = (r"(?:\bwrite|\bput|\bsave|\bprint|\badd|\bappend|\binsert|把)\s*(?:exactly\s+)?(?:the (?:text|line|sentence|"
         r"words?|item|entry|task)\s+)?(?:{quote})\s*(?:\([^)\n]*\)\s*)?(?:\bto|\binto|\bin|\bat the end of|\bas (?:a |the )?"
         r"(?:new )?(?:last |first |final )?(?:line|item|entry)s? (?:of|in|to|at the end of)|写入|写到|保存到|存到|追加到|添加到|加到)\s*"
         r"(?:(?:a|the) file (?:named |called )?)?{file}")
# "Write the following sentence, exactly as given, to motto.txt: Small steps, checked twice."
_GIVEN_AFTER = re.compile(r"\b(?:the following|this|these)\s+(?:sentence|line|text|words?)\b[^:\n]*:\s*(?P<text>[^\n]+)|"
                          r"(?:以下|下面)(?:这句话|这段话|文字|内容)[^：:\n]*[：:]\s*(?P<zh>[^\n]+)", re.IGNORECASE)
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
                 "十": 10}
_UNITS_EN = {"paragraph": "paragraph", "paragraphs": "paragraph", "item": "item", "items": "item", "point": "item",
             "points": "item", "bullet": "item", "bullets": "item", "tip": "item", "tips": "item", "idea": "item",
             "ideas": "item", "fact": "item", "facts": "item", "reason": "item", "reasons": "item", "example": "item",
             "examples": "item", "question": "item", "questions": "item", "line": "line", "lines": "line",
             "suggestion": "item", "suggestions": "item", "title": "item", "titles": "item", "name": "item",
             "names": "item", "sentence": "sentence", "sentences": "sentence"}
_N_EN = r"[1-9]|10|one|two|three|four|five|six|seven|eight|nine|ten"
# "three short paragraphs", "exactly 5 tips", "3 to 5 sentences" (the least counts); not "one line per item"
_COUNT_EN = re.compile(r"(?<!\bthe )(?<!\bthese )(?<!\bthose )\b(?P<exact>exactly\s+)?(?:(?:" + _N_EN + r")\s*(?:to|-|–|or)\s*)?(?P<n>" + _N_EN
                       + r")\s+(?:[a-z-]+\s+){0,3}?(?P<unit>" + "|".join(_UNITS_EN) + r")\b(?!\s+(?:per|each|for each|for every|of each))",
                       re.IGNORECASE)
_COUNT_LOW = re.compile(r"(?P<low>" + _N_EN + r")\s*(?:to|-|–|or)\s*", re.IGNORECASE)
_COUNT_ZH = re.compile(r"(?:写|列出|列举|给出|提供|包含|分成|分为|想出|推荐)\S{0,3}?(?P<n>[1-9]|10|[一二两三四五六七八九十])\s*"
                       r"(?P<unit>段|个段落|条|项|种|句|行|首|"
                       r"个(?=建议|要点|例子|原因|问题|名字|标题|事实|想法|理由|技巧|方法|优点|缺点|句子|段落))")
_ZH_UNITS = {"段": "paragraph", "个段落": "paragraph", "句": "sentence", "行": "line"}


class Count(BaseModel):
    """A size the goals ask an output to have: ``3 paragraph`` (``exact``: "exactly three")."""

    file: str
    n: int
    unit: str  # paragraph | item | line | sentence
    exact: bool = False


class GoalSpec(BaseModel):
    """What the goals ask for (see the module docstring). Parsed once per run and kept with its state."""

    goals: list[str] = Field(default_factory=list)
    #: files the goals give to read: they stay as they are
    inputs: list[str] = Field(default_factory=list)
    #: files the goals ask to produce
    outputs: list[str] = Field(default_factory=list)
    #: files the goals say to change or add to
    changes: list[str] = Field(default_factory=list)
    #: of those, the files the goals say to add to: their lines stay
    additions: list[str] = Field(default_factory=list)
    #: an answer is worked out (from the task's data, or by an algorithm): it must come from a program
    computed: bool = False
    #: of those, an answer no file states (a calculation, a sum, an average): a program must have run for it
    derived: bool = False
    #: decimal places the goals ask numbers to be written with ("rounded to two decimal places", 保留两位小数)
    decimals: int | None = None
    #: {output: a text the goals quote for it, to be reproduced exactly}
    exact: dict[str, str] = Field(default_factory=dict)
    #: the other texts the goals quote (in double or Chinese quotes): data to work on ("the SHA-256 of "abc"")
    quoted: list[str] = Field(default_factory=list)
    #: web addresses the goals give
    urls: list[str] = Field(default_factory=list)
    #: functions and classes the goals ask to define
    definitions: list[str] = Field(default_factory=list)
    #: example calls the goals give for them: ``("slugify('A B')", "'a-b'")``
    examples: list[tuple[str, str]] = Field(default_factory=list)
    #: sizes asked for outputs ("three paragraphs" in post.md)
    counts: list[Count] = Field(default_factory=list)
    #: {output: the input it is to be a whole copy of} ("write its content to output.txt", "复制 a.txt 到 b.txt")
    copies: dict[str, str] = Field(default_factory=dict)
    #: the goals ask for code (a function, module, script)
    code: bool = False
    translate: bool = False
    web: bool = False

    @classmethod
    def parse(cls, goals: Iterable[str], existing: Iterable[str] = (),
              read: Callable[[str], str | None] | None = None) -> GoalSpec:
        """The spec of ``goals``; ``existing``: the workspace's files when the run begins (relative paths);
        ``read``: the text of one of them (for goals that say to carry out the instructions a file gives)."""
        goals = [goal for goal in goals if goal and goal.strip()]
        text = "\n".join(goals)
        present = set(existing)
        roles: dict[str, list[bool]] = {}  # name: [read, written, changed, added to, kept] by any mention
        for name, reads, writes, changed, added, kept in _file_roles(text):
            seen = roles.setdefault(name, [False, False, False, False, False])
            seen[0] |= reads > writes
            seen[1] |= writes > reads
            seen[2] |= changed
            seen[3] |= added
            seen[4] |= kept
        for source, copy in _copy_pairs(goals):  # "save a copy of a.txt as b.txt": b.txt is made, a.txt read
            if source != copy and source in roles and copy in roles:
                roles[copy][:] = [False, True, False, False, False]
                roles[source][0] = True
        inputs: list[str] = []
        outputs: list[str] = []
        changes: list[str] = []
        for name, (reads, writes, changed, _, kept) in roles.items():
            if kept:
                inputs.append(name)  # said to stay as it is, whatever else a clause seemed to say
            elif changed and (name in present or not writes):
                changes.append(name)
            elif name in present:
                (outputs if writes else inputs).append(name)
            elif reads and not _looks_written(name):
                inputs.append(name)  # to read, and not there: it may be elsewhere in the workspace
            elif writes or _looks_written(name):
                outputs.append(name)
            # else only mentioned ("the example command csvpeek data.csv"): neither read nor written
        if read is not None and _FOLLOW.search(text):  # the files the given instructions say to make
            for name in inputs:
                instructions = read(name) or ""
                outputs += [found for found, reads, writes, *_ in _file_roles(instructions)
                            if writes > reads and found not in inputs + outputs + changes]
        computed = bool(_COMPUTE.search(text) or _ALGORITHMIC.search(text)
                        or (_AGGREGATE.search(_without_names(text)) and (inputs or changes)))
        derived = computed and bool(_DERIVED.search(_without_names(text)))
        places = _DECIMALS.search(text)
        decimals = _number(next(g for g in places.groups() if g)) \
            if places and not _AT_MOST.search(text[max(0, places.start() - 16):places.start()]) else None
        definitions = list(dict.fromkeys(next(g for g in m.groups() if g) for m in _DEFINITION.finditer(text)))
        examples = list(dict.fromkeys((m.group("call"), m.group("value")) for m in _EXAMPLE.finditer(text)
                                      if not definitions or m.group("call").split("(")[0] in definitions))
        functions = [name for name in definitions if not name[:1].isupper()]
        if not examples and len(functions) == 1:  # "Examples: '1h30m' -> 5400, '45s' -> 45" for one function
            examples = list(dict.fromkeys((f"{functions[0]}({m.group('arg')})", m.group("value"))
                                          for m in _BARE_EXAMPLE.finditer(text)))
        exact = _exact_texts(goals, outputs + changes)
        quoted = [text for text in dict.fromkeys(m.group(1) or m.group(2) or m.group(3) for m in _DATA_QUOTE.finditer(text))
                  if text.strip() and text.strip() not in {t.strip() for t in exact.values()}]
        return cls(
            goals=goals, inputs=inputs, outputs=outputs, changes=changes, computed=computed, derived=derived,
            decimals=decimals, quoted=quoted,
            additions=[name for name in changes if roles[name][3]],
            exact=exact, urls=addresses(text), definitions=definitions,
            examples=examples, counts=_counts(goals, outputs + changes), copies=_copies(goals, inputs, outputs),
            code=bool(definitions) or any(name.endswith(".py") for name in outputs) or bool(_CODE_ASKED.search(text)),
            translate=bool(_TRANSLATE.search(_without_names(text))), web=bool(_WEB.search(_without_names(text))),
        )

    @property
    def results(self) -> list[str]:
        """The files the goals ask for, made or changed: what ``finish`` expects to find."""
        return [*self.outputs, *[name for name in self.changes if name not in self.outputs]]

    def completed_by(self, changed: Sequence[str], exists: Callable[[str], bool]) -> bool:
        """Whether a step that changed the files ``changed`` wrote the last of the :attr:`results`: it changed one
        of them, and all of them exist now (the loop then says so, and ``finish_next`` narrows the next step)."""
        return bool(set(changed) & set(self.results)) and all(exists(name) for name in self.results)


@functools.lru_cache(maxsize=512)
def outputs_of(text: str) -> tuple[str, ...]:
    """The files ``text`` (a sub-task of the plan, say "Write the total to total.txt") says to make."""
    return tuple(GoalSpec.parse([text]).outputs)


def named_files(text: str) -> list[str]:
    """Relative file names mentioned in ``text`` ("write it to fib.txt" → ``["fib.txt"]``), addresses left out."""
    names = [(ascii or cjk).strip(".") for ascii, cjk in _FILE_NAME.findall(_URL.sub(" ", text))]
    return list(dict.fromkeys(name for name in names if name.lower() not in _NOT_FILES and not name.startswith("/")
                              and ".." not in name.split("/")))


def addresses(text: str) -> list[str]:
    """The http(s) addresses ``text`` names, in order, without the punctuation that ends a sentence."""
    found = (match.rstrip(".,;:!?") for match in _URL.findall(text))
    return list(dict.fromkeys(address for address in found if address.split("//", 1)[1]))


def _file_roles(text: str) -> list[tuple[str, int, int, bool, bool, bool]]:
    """Each file ``text`` names: ``(name, where the last reading word before it ends, where the last writing word
    ends, whether its clause says to change it, whether to add to it, and whether it says to keep it as it is
    ("do not change config.ini", "leave it unchanged"))``; -1 where there is none."""
    roles = []
    cleaned = _URL.sub(" ", text)
    previous = 0  # where the last file name ended: the words before it were about that file
    for match in _FILE_NAME.finditer(cleaned):
        name = (match.group(1) or match.group(2)).strip(".")
        if name.lower() in _NOT_FILES or name.startswith("/") or ".." in name.split("/"):
            continue
        before = cleaned[: match.start()]
        ends = [m.end() for m in _CLAUSE_END.finditer(before)]
        clause = before[max(ends[-1] if ends else 0, previous):]
        previous = match.end()
        reads = max((m.end() for m in _READ.finditer(clause)), default=-1)
        writes = max((m.end() for m in _WRITE.finditer(clause)), default=-1)
        # "Write the total to out.txt" / "sort data.csv by ... and save it" / Chinese: 在 todo.txt 末尾添加一行
        after = re.split(r"[.;。；，,！!？?\n]", cleaned[match.end():])[0][:16]
        # each change word, and whether it is said not to be done ("do not change", 不要修改)
        verbs = [(m.end(), bool(_NEGATED.search(clause[: m.start()]))) for m in _CHANGE.finditer(clause)]
        change = max((end for end, negated in verbs if not negated), default=-1)
        changed = change > reads or bool(_ZH_PLACE.search(clause) and _CHANGE.search(after)
                                         and not _NEGATED.search(clause))
        rest = cleaned[match.end():]
        kept = (any(negated and end > max(reads, writes) for end, negated in verbs) or bool(_KEPT_AFTER.match(rest))
                or bool(_KEPT_AROUND[0].search(clause) and _KEPT_AROUND[1].match(rest)))
        if _ZH_PLACE.search(clause) and re.search(r"写|保存|生成|输出", after):
            writes = len(clause) + 1  # 把结果保存在 out.txt 里
        elif _SUBJECT.match(cleaned[match.end():]) and writes < 0:
            reads = len(clause) + 1
        added = changed and bool(_ADD.search(clause) or (_ZH_PLACE.search(clause) and _ADD.search(after)))
        roles.append((name, reads, writes, changed and not kept, added and not kept, kept))
    return roles


def _looks_written(name: str) -> bool:
    """A missing file whose name says it is a result (``report.txt``, ``output.csv``), not data to find."""
    return bool(re.match(r"(?:out|output|result|results|answer|report|summary)\b", name.rsplit("/", 1)[-1], re.I))


def _without_names(text: str) -> str:
    """``text`` without file names and addresses ("count.txt" names a file; it does not ask to count)."""
    return _FILE_NAME.sub(" ", _URL.sub(" ", text))


def _exact_texts(goals: list[str], files: list[str]) -> dict[str, str]:
    """``{file: text}`` for each quoted text a goal says a file must hold ("Write 'Hello World!' to hello.txt")."""
    found: dict[str, str] = {}
    for goal in goals:
        named = [name for name in named_files(goal) if name in files]
        if len(named) != 1 or _TRANSLATE.search(goal):
            continue
        given = _GIVEN_AFTER.search(goal)
        group = ("text" if given.group("text") else "zh") if given else ""
        if given and named[0] in goal[: given.start(group)]:
            found.setdefault(named[0], given.group(group).strip())
        else:
            for pattern in (_HOLDS, _PUTS):
                held = re.search(pattern.format(file=re.escape(named[0]), quote=_QUOTE), goal, re.IGNORECASE)
                if held:
                    found.setdefault(named[0], next(part for part in held.groups() if part).strip())
                    break
    return found


_F = r"([\w./\u3400-\u9fff-]+\.[A-Za-z0-9]{1,5})"
_INTO = r"\s+(?:to|into|as)\s+(?:(?:a|the|another)\s+(?:new\s+)?file\s+(?:named|called)\s+)?"
_COPY_PATTERNS = (  # (pattern, group of the source, group of the copy)
    (re.compile(r"\bcop(?:y|ies)\s+(?:the\s+(?:file\s+)?)?" + _F + _INTO + _F, re.IGNORECASE), 1, 2),
    (re.compile(r"\bwrite\s+(?:all\s+)?(?:the\s+)?(?:whole\s+)?(?:content|contents|text)\s+of\s+(?:the\s+file\s+)?" + _F
                + _INTO + _F, re.IGNORECASE), 1, 2),
    (re.compile(_F + r"[^.;。；\n]*?\bwrite\s+(?:all\s+of\s+)?its\s+(?:whole\s+)?(?:content|contents|text)" + _INTO + _F,
                re.IGNORECASE), 1, 2),
    (re.compile(r"把\s*" + _F + r"\s*(?:的)?(?:全部|所有)?(?:内容|全文)?\s*(?:原样)?(?:复制|拷贝|备份|写入|写到|保存到|保存为|另存为)(?:一份)?"
                r"(?:到|为)?\s*" + _F), 1, 2),
    (re.compile(r"(?:复制|拷贝|备份)\s*" + _F + r"\s*(?:到|为|成)\s*" + _F), 1, 2),
    # "save a copy of data.csv as backup.csv", "a backup of notes.txt named notes.txt.bak"
    (re.compile(r"\b(?:copy|backup|duplicate)\s+of\s+(?:the\s+file\s+)?" + _F + r",?\s+(?:(?:and\s+)?(?:name|call|save)"
                r"\s+it\s+|(?:named|called|as|to|into|in|at)\s+)(?:(?:a|the)\s+(?:new\s+)?file\s+(?:named|called)\s+)?" + _F,
                re.IGNORECASE), 1, 2),
    # "back up notes.txt to notes.bak", "duplicate a.txt as b.txt"
    (re.compile(r"\b(?:back\s*up|duplicate)\s+(?:the\s+file\s+)?" + _F + _INTO + _F, re.IGNORECASE), 1, 2),
    # "create config.ini.bak with the same content as config.ini", "b.txt, an exact copy of a.txt"
    (re.compile(_F + r"[^.;。；\n]{0,20}?\b(?:with|having|holding)\s+(?:exactly\s+)?the\s+same\s+(?:content|contents|text|"
                r"lines|bytes)\s+as\s+(?:the\s+file\s+)?" + _F, re.IGNORECASE), 2, 1),
    (re.compile(_F + r",?\s+(?:an?\s+)?(?:exact\s+)?(?:copy|backup|duplicate)\s+of\s+(?:the\s+file\s+)?" + _F,
                re.IGNORECASE), 2, 1),
    # "创建 a.txt 的备份 a.txt.bak", "b.txt 的内容与 a.txt 相同"
    (re.compile(_F + r"\s*的(?:副本|备份|拷贝)\s*[，,]?\s*(?:命名为|名为|叫做?|为|是)?\s*" + _F), 1, 2),
    (re.compile(_F + r"[^。；\n]{0,12}?(?:内容|文本)(?:与|和|跟)\s*" + _F + r"\s*(?:完全)?(?:相同|一样|一致)"), 2, 1),
)


def _copy_pairs(goals: list[str]) -> list[tuple[str, str]]:
    """``(source, copy)`` for each place the goals say a file is to be a whole copy of another."""
    return [(m.group(source).rstrip("."), m.group(copy).rstrip(".")) for goal in goals
            for pattern, source, copy in _COPY_PATTERNS for m in pattern.finditer(goal)]


def _copies(goals: list[str], inputs: list[str], outputs: list[str]) -> dict[str, str]:
    """``{copy: source}`` for each goal that says to copy a file it gives whole into a file it asks for."""
    found: dict[str, str] = {}
    for source, copy in _copy_pairs(goals):
        if source in inputs and copy in outputs:
            found.setdefault(copy, source)
    return found


def _counts(goals: list[str], files: list[str]) -> list[Count]:
    """The sizes goals ask their one named output to have: "Write three tips to tips.txt", "写三段话到 a.md"."""
    found = []
    for goal in goals:
        named = [name for name in named_files(goal) if name in files and not name.endswith((".py", ".csv", ".json"))]
        if len(named) != 1:
            continue
        plain = _without_names(goal)
        for match in _COUNT_EN.finditer(plain):
            low = _COUNT_LOW.match(match.group(0).removeprefix(match.group("exact") or ""))
            n = _number(low.group("low") if low else match.group("n"))
            if n < 2:
                continue
            found.append(Count(file=named[0], n=n, unit=_UNITS_EN[match.group("unit").lower()],
                               exact=bool(match.group("exact"))))
        for match in _COUNT_ZH.finditer(plain):
            if (n := _number(match.group("n"))) >= 2:
                found.append(Count(file=named[0], n=n, unit=_ZH_UNITS.get(match.group("unit"), "item")))
    return found


def _number(word: str) -> int:
    return _NUMBER_WORDS.get(word.lower()) or int(word)
