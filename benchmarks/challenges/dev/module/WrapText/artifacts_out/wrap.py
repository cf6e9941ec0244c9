def wrap_text(text, width):
    """Greedy word wrap: lines of whole words joined by single spaces, each at most width characters; a word
    longer than width gets a line of its own."""
    if not isinstance(width, int) or width < 1:
        raise ValueError("width must be a positive integer")
    lines, current = [], ""
    for word in text.split():
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines
