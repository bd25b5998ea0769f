"""An import-linter contract of our own (used by .importlinter): a feature's adapters are its own.

Every feature listed in hub/features.py keeps its pages (``views``, ``*_views``), its API (``api``) and its
commands (``cli``) to itself: another feature that needs a rule from them asks the feature's services
instead. A new feature is covered by being listed; nothing here names one.
"""

from __future__ import annotations

from fnmatch import fnmatch

from importlinter import Contract, ContractCheck, fields, output
from importlinter.application import contract_utils


class OwnAdaptersContract(Contract):
    """Modules named like ``adapters`` inside a feature are imported only from within that feature.

    - ``features``: where the list of features is, as ``module:NAME`` (a sequence of package names).
    - ``adapters``: module names (the last part, shell patterns) that are a feature's adapters.
    - ``ignore_imports``: imports to leave out, each with its reason beside it.
    """

    type_name = "own_adapters"

    features = fields.StringField()
    adapters = fields.ListField(subfield=fields.StringField())
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)

    def check(self, graph, verbose: bool) -> ContractCheck:
        import_removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=self.ignore_imports,
            unmatched_alerting=contract_utils.AlertLevel.ERROR,
        )
        illegal = []
        for feature in self._features():
            inside = {feature} | graph.find_descendants(feature)
            for module in sorted(inside):
                if not any(fnmatch(module.rpartition(".")[2], pattern) for pattern in self.adapters):
                    continue
                for importer in sorted(graph.find_modules_that_directly_import(module)):
                    if importer not in inside:
                        details = graph.get_import_details(importer=importer, imported=module)
                        illegal.append((importer, module, tuple(d["line_number"] for d in details)))
        return ContractCheck(
            kept=not illegal,
            warnings=list(import_removal.warnings),
            ignored_import_count=import_removal.ignored_import_count,
            metadata={"illegal": illegal},
        )

    def _features(self) -> list[str]:
        from importlib import import_module

        module, _, name = str(self.features).partition(":")
        return list(getattr(import_module(module), name))

    def render_broken_contract(self, check: ContractCheck) -> None:
        output.print_error("A feature's pages, API and commands are its own; ask its services instead:", bold=False)
        output.new_line()
        for importer, module, lines in check.metadata["illegal"]:
            output.print_error(f"- {importer} -> {module} (l.{', '.join(map(str, lines))})", bold=False)
        output.new_line()
