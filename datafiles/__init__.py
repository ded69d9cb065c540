"""Files in and out (README "Files in and out"): the once-only import engine (tables.py), the
two steps of an import and the /data/ pages (views.py, urls.py, namespace "data"), the export
registry and builder (exports.py), text that stays text in every cell (cells.py), the admin's
import and export (admin_mixins.py) and the base of the import commands (import_command.py).

Each app declares its own imports and export resources; the registries here name them by
dotted path (`kinds.IMPORTS`, `exports.EXPORTS`), so the engine imports no app above the ground
floor to know them. Not an installed app: no models, templates are under templates/data/."""
