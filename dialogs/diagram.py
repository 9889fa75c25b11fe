"""The stage map as a Mermaid state diagram, generated from the table so it cannot drift."""

from __future__ import annotations

from dialogs.stages import BACK, STAGES, Part

_PART_TITLES = {
    Part.ONBOARDING: "Onboarding",
    Part.REFLECT: "Part 1: Reflect",
    Part.RECONNECT: "Part 2: Reconnect",
    Part.TALK: "Part 3: Talk",
    Part.TRACK: "Tracks",
    Part.TOOL: "Tools (return where you were)",
}


def mermaid() -> str:
    lines = ["stateDiagram-v2", "    [*] --> welcome: /start"]
    for part, title in _PART_TITLES.items():
        lines.append(f'    state "{title}" as {part.value} {{')
        for s in STAGES:
            if s.part is part:
                label = f"{s.step} {s.title}".strip().replace('"', "'")
                lines.append(f"        {s.id}: {label}")
        lines.append("    }")
    for s in STAGES:
        seen: set[tuple[str, str]] = set()
        for outcome, target in s.routes.items():
            if target.startswith(BACK):
                fallback = target.partition("|")[2]
                target = fallback or "[*]"
                outcome += " (or back)" if fallback else " (back)"
            if target == s.id or (target, outcome) in seen:
                continue
            seen.add((target, outcome))
            dest = target if target != "new" else "[*]"
            lines.append(f"    {s.id} --> {dest}: {outcome}")
    return "\n".join(lines) + "\n"
