"""What the checks say to the model, in English and Chinese: the run's language picks one.

Every message names what is wrong and the next command that mends it, in a sentence or two; a refusal that
asks only once ends by saying that the same command, sent again, is carried out.
"""

from __future__ import annotations

import re
from typing import Any

#: How the history shows a long text of a failed or refused command (see ``autogpt.agent.steps``); a command
#: that sends this mark back as an argument is refused (the ``placeholder`` check).
NOT_SHOWN = {"en": "[{n} characters, not shown]", "zh": "[{n} 个字符，不显示]"}
NOT_SHOWN_MARK = re.compile(r"^\s*\[\d+ (?:characters, not shown|个字符，不显示)\]\s*$")

MESSAGES: dict[str, dict[str, str]] = {
    # --- hygiene ---------------------------------------------------------------------------------------------
    "repeat": {
        "en": "You just ran exactly this command with the same arguments; its result is above. Do not repeat it: "
              "choose a different command, or finish if the goals are done.",
        "zh": "你刚刚用完全相同的参数执行过这条命令，结果就在上面。不要重复：换一条命令，或者在目标完成时调用 finish。",
    },
    "failed_before": {
        "en": "Not run: this exact command already failed at step {step}, and no file has changed since, so it "
              "would fail the same way. Do something different: fix what its error said, or use another command.",
        "zh": "没有执行：这条完全相同的命令在第 {step} 步已经失败过，之后没有任何文件改变，再执行也会同样失败。"
              "换一种做法：按它的错误信息修正，或者使用别的命令。",
    },
    "read_again": {
        "en": "Not run: {what} was read at step {step} and has not changed since: its text is shown there. Use it "
              "for the next step the goals need (a program that works it out, or the file they ask for).",
        "zh": "没有执行：{what} 在第 {step} 步已经读过，之后没有变化，内容就在那一步里。请直接用它做目标需要的下一步"
              "（写一个计算的程序，或者写目标要求的文件）。",
    },
    "example_copy": {
        "en": "Not run: this command is the worked example the instructions show, not a step of your task. Your "
              "goals: {goals}",
        "zh": "没有执行：这条命令是说明里的示例，不是你这个任务的步骤。你的目标是：{goals}",
    },
    "placeholder": {
        "en": "Not run: [N characters, not shown] is how the list of steps stands for a long text that failed or was "
              "refused, not a text to send. Write the complete text itself, new.",
        "zh": "没有执行：[N 个字符，不显示] 是步骤列表代替一段失败或被拒绝的长文本的写法，不是要发送的文本。请重新写出完整的文本本身。",
    },
    "cut_copy": {
        "en": "Not run: the line {line!r} ends with '…' where the list of steps shortened an earlier text; the text "
              "itself goes on. Write the whole text, every line of it.",
        "zh": "没有执行：{line!r} 这一行以 '…' 结尾，那是步骤列表把之前的文字缩短的地方，原文并不止这些。请写出完整的文字，每一行都要写全。",
    },
    "cut_copy_fix": {
        "en": "Not run: the line {line!r} ends with '…' where the list of steps shortened an earlier text; the text "
              "itself goes on. Here is your {arg} with that line whole: send it again as it is, with only the "
              "changes you meant:\n{fixed}",
        "zh": "没有执行：{line!r} 这一行以 '…' 结尾，那是步骤列表把之前的文字缩短的地方，原文并不止这些。下面是把这一行补全后的 {arg}："
              "请照原样再发送一次，只做你想做的修改：\n{fixed}",
    },
    "input_kept": {
        "en": "Not written: {file} is an input of the task (the goals give it to read), so it stays as it is. "
              "Write the result to {where}.",
        "zh": "没有写入：{file} 是任务的输入文件（目标让你读取它），必须保持原样。请把结果写入 {where}。",
    },
    "user_file_kept": {
        "en": "Not written: {file} was in the workspace before the task began (the user's file), and the goals do not "
              "say to change it. Read it if you need it; write the result to {where}. If it must change, send the "
              "command again.",
        "zh": "没有写入：{file} 在任务开始前就在工作区里（是用户的文件），目标并没有要求修改它。"
              "需要的话可以读取它；请把结果写入 {where}。如果确实要修改它，再发送一次这条命令。",
    },
    "lines_kept": {
        "en": "Not written: the goals say to add to {file}, and this text would lose {lost} of its lines "
              "(e.g. {example!r}). Use append_file to add at the end, or keep every old line.",
        "zh": "没有写入：目标要求在 {file} 中添加内容，而这段文字会丢掉它原有的 {lost} 行（例如 {example!r}）。"
              "请用 append_file 在末尾追加，或者保留所有原有的行。",
    },
    "input_restored": {
        "en": "Note: the program changed {files}, which the task gives to read; it was put back as it was. Write "
              "results to another file.",
        "zh": "注意：程序修改了任务给出的文件 {files}，已恢复原样。请把结果写入另一个文件。",
    },
    "lines_restored": {
        "en": "Note: the goals say to add to {file}, and the program made it lose {lost} of its lines (e.g. "
              "{example!r}); it was put back as it was at the start. Add the new text with append_file.",
        "zh": "注意：目标要求在 {file} 中添加内容，而程序让它丢掉了原有的 {lost} 行（例如 {example!r}），已恢复为开始时的样子。"
              "请用 append_file 追加新的内容。",
    },
    "no_network": {
        "en": "Note: code runs without any network (not even 127.0.0.1) and cannot install packages. Use the "
              "standard library (or pandas, numpy), and read web pages with read_webpage if you have it.",
        "zh": "注意：代码运行时没有任何网络（连 127.0.0.1 也不行），也不能安装软件包。请使用标准库（或 pandas、numpy），"
              "网页用 read_webpage 命令读取（如果有这个命令）。",
    },
    "fresh_process": {
        "en": "Note: every program runs on its own: nothing an earlier program or command made is defined in it. "
              "Define {name} in the program itself.",
        "zh": "注意：每个程序都是单独运行的，之前的程序或命令里的东西在这里都没有定义。请在程序里自己定义 {name}。",
    },
    "not_imported": {
        "en": "Note: every program runs on its own: {name} is not imported in this one. Put {line} at its top.",
        "zh": "注意：每个程序都是单独运行的：这个程序没有导入 {name}。请在开头加上 {line}。",
    },
    "fresh_process_file": {
        "en": "Note: every program runs on its own: nothing an earlier program or command made is defined in it. "
              "Read {file} inside the program (with open({file!r}) as f: ...) and make {name} from it.",
        "zh": "注意：每个程序都是单独运行的，之前的程序或命令里的东西在这里都没有定义。请在程序里读取 {file}"
              "（with open({file!r}) as f: ...），由它得到 {name}。",
    },
    "malformed_data": {
        "en": "Note: {file} is not valid JSON ({error}, line {line}); no module fixes that. Keep {file} as it is: in "
              "your program, read it as text, repair the text (look at line {line}: a trailing comma, single quotes, "
              "a comment, a missing bracket) and parse the repaired text with json.loads.",
        "zh": "注意：{file} 不是合法的 JSON（{error}，第 {line} 行），装什么模块都解决不了。不要改动 {file}：在程序里"
              "把它当作文本读入，修好文本（看第 {line} 行：多余的逗号、单引号、注释、缺少的括号），再用 json.loads 解析。",
    },
    "header_row": {
        "en": "Note: the first line of {file} is its header ({header}), not data: skip it, e.g. "
              "for row in csv.DictReader(open({file!r})): value = float(row[{column!r}])",
        "zh": "注意：{file} 的第一行是表头（{header}），不是数据：要跳过它，例如 "
              "for row in csv.DictReader(open({file!r})): value = float(row[{column!r}])",
    },
    "not_json": {
        "en": "Note: {file} is not JSON, so json cannot read it; it is text that begins:\n{start}\nRead it with "
              "open({file!r}) and take each line apart (split, strip) in your program.",
        "zh": "注意：{file} 不是 JSON，json 读不了它；它是文本，开头是：\n{start}\n请在程序里用 open({file!r}) 读入，"
              "再把每一行拆开（split、strip）。",
    },
    "malformed_fix": {
        "en": "Note: {file} is not valid JSON ({error}, line {line}). Look at line {line} (a trailing comma, single "
              "quotes, a comment, a missing bracket), repair the text and write the repaired file.",
        "zh": "注意：{file} 不是合法的 JSON（{error}，第 {line} 行）。看第 {line} 行（多余的逗号、单引号、注释、缺少的"
              "括号），修好文本后写回这个文件。",
    },
    "file_as_name": {
        "en": "Note: {file} is a file, not a variable: in Python, write its name in quotes and open it, e.g. "
              "with open({file!r}) as f: data = f.read()",
        "zh": "注意：{file} 是一个文件，不是变量：在 Python 里要把文件名写在引号里并打开它，例如 "
              "with open({file!r}) as f: data = f.read()",
    },
    "no_module": {
        "en": "Note: the module {module} is not installed, and nothing can be installed here. Do it with the standard "
              "library (pandas and numpy are there too).",
        "zh": "注意：没有安装 {module} 模块，这里也不能安装任何东西。请用标准库完成（也可以用 pandas 和 numpy）。",
    },
    "does_not_compile": {
        "en": "Note: {file} does not compile ({error}, line {line}): write it again, whole, with that fixed (every def "
              "needs a body that does the work).",
        "zh": "注意：{file} 无法编译（{error}，第 {line} 行）：请修正后重新写出完整的文件（每个 def 都要有真正干活的函数体）。",
    },
    "missing_outputs": {
        "en": "Not finished: the goals ask for {files}, which {are} not in the workspace yet (or empty). Write "
              "{them} first. If the goals do not really ask for {them}, call finish again.",
        "zh": "还没有完成：目标要求的 {files} 还不在工作区里（或者是空的）。请先写好。如果目标其实并不要求它们，再调用一次 finish。",
    },
    "failing_code": {
        "en": "Not finished: {file} failed the last time it ran ({error}). Fix it and run it again. If that failure "
              "was expected, call finish again.",
        "zh": "还没有完成：{file} 上一次运行失败了（{error}）。请修正后再运行一次。如果这个失败是预期的，再调用一次 finish。",
    },
    "code_as_result": {
        "en": "Not written: this is a Python program, and {file} is where the goals want the result. Run the program "
              "with execute_python and write what it prints to {file}. If the program itself belongs there, send "
              "the command again.",
        "zh": "没有写入：这是一段 Python 程序，而 {file} 是目标要求存放结果的地方。请用 execute_python 运行程序，"
              "把它打印的结果写入 {file}。如果程序本身就该写在那里，再发送一次这条命令。",
    },
    # --- compute vs. know ------------------------------------------------------------------------------------
    "typed_numbers": {
        "en": "Note: no command showed {numbers}, and the goals ask for something worked out from data: numbers "
              "worked out by hand are often wrong. Compute {it} with execute_python (a program that reads the "
              "input, prints the result and writes {file}).",
        "zh": "注意：没有任何命令输出过 {numbers}，而目标要求根据数据计算结果：手算的数字经常出错。"
              "请用 execute_python 计算（程序读取输入、打印结果并写入 {file}）。",
    },
    "unseen_numbers": {
        "en": "Not finished: {file} holds {numbers}, which no command showed; the goals ask for a result worked out "
              "from data. Compute it with execute_python and write what it prints. If {file} is right as it is, "
              "call finish again.",
        "zh": "还没有完成：{file} 中的 {numbers} 没有任何命令输出过，而目标要求根据数据计算结果。请用 execute_python "
              "计算，并写入它打印的结果。如果 {file} 已经正确，再调用一次 finish。",
    },
    "kept_values": {
        "en": "Note: {file} has {mine} where {source} has {theirs}: rows copied from {source} must keep its values as "
              "written. pandas rewrites numbers: read it with pd.read_csv({source!r}, dtype=str), or use the csv module.",
        "zh": "注意：{file} 中的 {mine} 在 {source} 里写作 {theirs}：从 {source} 复制的行必须保持原样。pandas 会改写数字："
              "请用 pd.read_csv({source!r}, dtype=str) 读取，或者使用 csv 模块。",
    },
    # --- self-testing ----------------------------------------------------------------------------------------
    "self_test": {
        "en": "Not finished: {file} was written but never run. Test it first with execute_python, e.g.:\n{test}\n"
              "If you tested it already, call finish again.",
        "zh": "还没有完成：{file} 写好后还没有运行过。请先用 execute_python 测试，例如：\n{test}\n如果已经测试过，再调用一次 finish。",
    },
    # --- outputs -----------------------------------------------------------------------------------------
    "shrunk": {
        "en": "Not written: {file} holds {old} characters written in this task, and this text keeps only a part of "
              "them ({new} characters): write_file replaces the whole file. If the rest is meant to go, send the "
              "command again; to add to it, use append_file.",
        "zh": "没有写入：{file} 里有本任务中写下的 {old} 个字符，而这段文字只保留了其中一部分（{new} 个字符）：write_file "
              "会替换整个文件。如果其余部分确实要删掉，再发送一次这条命令；要追加内容请用 append_file。",
    },
    "copied_input": {
        "en": "Not written: this is all of {source}, as it is. The goals ask for something made from it for {file} "
              "(only the lines they ask for, or what they say to work out): a program that reads {source} and writes "
              "just that does it. If the whole of {source} belongs in {file}, send the command again.",
        "zh": "没有写入：这是 {source} 的全部原文。目标要求 {file} 是由它得出的内容（只要目标要求的那些行，或者算出的结果）："
              "用程序读取 {source} 并只写出这些内容即可。如果 {file} 就该是 {source} 的全文，再发送一次这条命令。",
    },
    "copied_quote": {
        "en": "Not written: {text!r} is the text the goals give to work on, as it is. The goals ask for what is "
              "worked out from it for {file}: a program that computes it and prints it (execute_python) shows it; "
              "then write what it printed. If {file} is to hold {text!r} as it is, send the command again.",
        "zh": "没有写入：{text!r} 是目标给出的原始文本，原样未变。目标要求 {file} 写的是由它算出的结果："
              "用程序（execute_python）计算并打印出来，再把打印的结果写入。如果 {file} 就该是 {text!r} 原文，再发送一次这条命令。",
    },
    "printed_unwritten": {
        "en": "Not finished: the last program printed {value}, and {file} does not hold it (it holds {have!r}). If "
              "{value} is the answer, write it to {file}. If {file} is right as it is, call finish again.",
        "zh": "还没有完成：最后一个程序打印出 {value}，但 {file} 里没有它（现在是 {have!r}）。如果 {value} 就是答案，"
              "请把它写入 {file}。如果 {file} 已经正确，再调用一次 finish。",
    },
    "module_run": {
        "en": "Note: {file} only defines functions, so running it prints nothing and tests nothing. Test it with "
              "execute_python, e.g.:\n{test}",
        "zh": "注意：{file} 只是定义了函数，直接运行它什么也不会打印，也测试不了什么。请用 execute_python 测试，例如：\n{test}",
    },
    "definitions": {
        "en": "Not finished: the goals ask for {names}, and {files} does not define {it} (a comment or an example is "
              "no definition). Write the code with def {first}(...) as the goals describe it, then test it. If it is "
              "defined elsewhere, call finish again.",
        "zh": "还没有完成：目标要求定义 {names}，但 {files} 里没有定义（注释或示例不算定义）。请按照目标的描述写出 "
              "def {first}(...)，然后测试它。如果它定义在别处，再调用一次 finish。",
    },
    "uncomputed": {
        "en": "Not finished: the goals ask for a result worked out from the data, and no program has run to its end "
              "in this task: {file} ({have!r}) was worked out by hand. Compute it with execute_python (a program that "
              "reads the data and prints the result), then write what it prints to {file}. If {file} is right as it "
              "is, call finish again.",
        "zh": "还没有完成：目标要求根据数据计算结果，但本任务中还没有一个程序成功运行：{file}（{have!r}）是手算的。请用 "
              "execute_python 计算（程序读取数据并打印结果），再把它打印的结果写入 {file}。如果 {file} 已经正确，再调用一次 "
              "finish。",
    },
    "decimals": {
        "en": "Not finished: the goals ask for numbers with {n} decimal places, and {file} has {numbers}. Write each "
              "number with exactly {n} (in Python f'{{value:.{n}f}}': {example}). If {file} is right as it is, call "
              "finish again.",
        "zh": "还没有完成：目标要求数字保留 {n} 位小数，而 {file} 中是 {numbers}。请把每个数字都写成正好 {n} 位小数"
              "（Python 中用 f'{{value:.{n}f}}'：{example}）。如果 {file} 已经正确，再调用一次 finish。",
    },
    "stray_file": {
        "en": "Note: the goals ask for {asked}; {file} is not one of them. Write what the goals ask for there.",
        "zh": "注意：目标要求的是 {asked}；{file} 不在其中。请把目标要求的内容写到那里。",
    },
    "count_short": {
        "en": "Not finished: the goals ask for {n} {unit}s in {file}, and it has {have}. Write {file} again with all "
              "{n}. If it is right as it is, call finish again.",
        "zh": "还没有完成：目标要求 {file} 有 {n} {unit}，而它现在只有 {have} {unit}。请重新写 {file}，写全 {n} {unit}。"
              "如果它已经正确，再调用一次 finish。",
    },
    "table_header_given": {
        "en": "Not finished: the goals give {file} the header row {header}, and its first row is {found}. Write "
              "{file} again with exactly that header and the columns it names, in that order. If it is right as "
              "it is, call finish again.",
        "zh": "还没有完成：目标给 {file} 的表头是 {header}，而它的第一行是 {found}。请重新写 {file}：表头就用这一行，列也按它的顺序。"
              "如果现在就是对的，再调用一次 finish。",
    },
    "table_cells": {
        "en": "Not finished: row {line} of {file} has {cells} cells where its header has {header}: a value that holds "
              "a comma must be quoted. Write the table with a program (Python's csv.writer quotes such values). If "
              "it is right as it is, call finish again.",
        "zh": "还没有完成：{file} 的第 {line} 行有 {cells} 个单元格，而表头有 {header} 个：含逗号的值必须加引号。请用程序写这个表"
              "（Python 的 csv.writer 会给这样的值加引号）。如果现在就是对的，再调用一次 finish。",
    },
    "row_order": {
        "en": "Not finished: the goals ask for the rows of {file} sorted by {column}, {way}, and they are not in that "
              "order. Sort them in the program that writes {file} (e.g. rows.sort(key=..., reverse=...) or pandas' "
              "sort_values). If they are right as they are, call finish again.",
        "zh": "还没有完成：目标要求 {file} 的行按 {column} 排序（{way}），现在的顺序不对。请在写 {file} 的程序里排序（例如 "
              "rows.sort(key=..., reverse=...) 或 pandas 的 sort_values）。如果现在就是对的，再调用一次 finish。",
    },
    "table_header": {
        "en": "Not finished: {file} starts with the row {row!r} of {source}, not with its header row ({header}): a "
              "table keeps the names of its columns first. Write {file} again with that header row first (in a "
              "program: write the input's first row, then the rows). If the goals want no header, call finish again.",
        "zh": "还没有完成：{file} 以 {source} 的数据行 {row!r} 开头，而不是它的表头（{header}）：表格的第一行应当是列名。"
              "请重新写 {file}，先写表头这一行（在程序里：先写输入的第一行，再写各行）。如果目标不要表头，再调用一次 finish。",
    },
    "empty_table": {
        "en": "Not finished: {file} holds only its header row ({header!r}), no rows. Write the rows the goals ask for "
              "(a program that reads the input and writes them does it). If no row belongs there, call finish again.",
        "zh": "还没有完成：{file} 只有表头（{header!r}），没有数据行。请写入目标要求的行（用程序读取输入再写出即可）。"
              "如果确实没有任何行，再调用一次 finish。",
    },
    "whole_copy": {
        "en": "Not finished: {file} is to hold all of {source}, and it has {have} of its {total} lines (it lacks "
              "{example!r}). Copy the whole file (execute_python: import shutil; shutil.copyfile({source!r}, {file!r})). "
              "If it is right as it is, call finish again.",
        "zh": "还没有完成：{file} 应该包含 {source} 的全部内容，现在只有它 {total} 行中的 {have} 行（缺少 {example!r}）。"
              "请复制整个文件（execute_python：import shutil; shutil.copyfile({source!r}, {file!r})）。如果它已经正确，再调用一次 finish。",
    },
    "given_quoted": {
        "en": "Not finished: {file} has the line {line}, with the quote marks the goals only used to mark the text. "
              "The line should be {text} alone. If the marks belong there, call finish again.",
        "zh": "还没有完成：{file} 里有一行 {line}，带着目标里只用来标出文字的引号。这一行应当只有 {text}。"
              "如果引号确实应该保留，再调用一次 finish。",
    },
    "given_quoted_fix": {
        "en": "Not finished: {file} has the line {line}, with the quote marks the goals only used to mark the text; "
              "the line should be {text} alone. Write {file} again with write_file and exactly this content:\n"
              "{fixed}\nIf the marks belong there, call finish again.",
        "zh": "还没有完成：{file} 里有一行 {line}，带着目标里只用来标出文字的引号；这一行应当只有 {text}。请用 write_file "
              "把 {file} 重新写成下面的内容：\n{fixed}\n如果引号确实应该保留，再调用一次 finish。",
    },
    "given_text": {
        "en": "Not finished: the goals say {file} must hold exactly {text!r}, and it does not. Write that text to "
              "{file}. If it is right as it is, call finish again.",
        "zh": "还没有完成：目标要求 {file} 的内容就是 {text!r}，但现在不是。请把这段文字原样写入 {file}。"
              "如果它已经正确，再调用一次 finish。",
    },
    # --- the goal verifier -----------------------------------------------------------------------------------
    "not_met": {
        "en": "Not finished: a check of the outputs against the goals says goal {goal} is not met: {reason} Fix "
              "that, then finish. If it is met, call finish again.",
        "zh": "还没有完成：对照目标检查输出后，目标 {goal} 没有达到：{reason} 请修正后再完成。如果它其实已经达到，再调用一次 finish。",
    },
}

#: What :data:`MESSAGES` calls the units of :class:`autogpt.goal.Count` in each language.
WAYS = {"en": {"down": "highest first", "up": "lowest first"}, "zh": {"down": "从高到低", "up": "从低到高"}}
UNITS = {"en": {"paragraph": "paragraph", "item": "item", "line": "line", "sentence": "sentence"},
         "zh": {"paragraph": "段", "item": "条", "line": "行", "sentence": "句"}}


def render(lang: str, key: str, **params: Any) -> str:
    """The message ``key`` in ``lang`` (English for any other language), with its values."""
    texts = MESSAGES[key]
    return texts.get(lang, texts["en"]).format(**params)


def join(names: list[str], lang: str) -> str:
    """``a.txt, b.txt and c.txt`` / ``a.txt、b.txt 和 c.txt``."""
    if len(names) <= 1:
        return "".join(names)
    if lang == "zh":
        return "、".join(names[:-1]) + " 和 " + names[-1]
    return ", ".join(names[:-1]) + " and " + names[-1]
