#!/usr/bin/env python3
"""placeholder"""
print("# Fidelity dossier\n\n(generated)")
