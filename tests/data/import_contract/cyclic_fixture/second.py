from . import first

two = first.one
