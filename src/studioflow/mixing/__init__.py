"""The mixing engineer: session files, the mix renderer, buses, automation, stems, versions."""
