"""Pages of a list that stay cheap however long the list (issue 16).

Django's `Paginator` counts every row (`SELECT COUNT(*)` over the whole filtered set) and reads
page N with `OFFSET (N - 1) * size`: on a list of 100,000 proposals both read the whole table.
`BoundedPaginator` counts at most `COUNTED_ROWS` rows (`SELECT COUNT(*) FROM (... LIMIT n)`,
"1000+") and so offers pages up to that depth only: the rows past it are reached by narrowing
the filters or reversing the order, which the list pages offer beside the pages. Every list
page of the product uses it through `page_of`; the pagination template shows "Page 3 of 40+"
and "1000+ proposals".

A list whose rows carry what only the shown page needs (joined rows, annotations such as the
viewer's conflict of interest, prefetches) passes `count_queryset`, the same rows filtered alike
without them: the bounded count then reads ids only (issue 16: the all-proposals count computed
the conflict annotation for each of its 1,001 rows).
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

# A list counts this many rows at most; the deepest page starts before this row.
COUNTED_ROWS = 1000


class BoundedPaginator(Paginator):
    """A `Paginator` whose count stops at `counted_rows` (+1 to know there are more)."""

    def __init__(self, object_list, per_page, *, counted_rows: int | None = None,
                 count_queryset=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.counted_rows = counted_rows or COUNTED_ROWS
        self.count_queryset = count_queryset

    @cached_property
    def count(self) -> int:
        """Exact up to `counted_rows`; `counted_rows + 1` when there are more."""
        object_list = self.object_list if self.count_queryset is None else self.count_queryset
        if hasattr(object_list, "order_by"):  # a queryset: count unordered, LIMITed
            return object_list.order_by()[: self.counted_rows + 1].count()
        return min(len(object_list), self.counted_rows + 1)

    @property
    def capped(self) -> bool:
        """True when the list has more rows than were counted."""
        return self.count > self.counted_rows

    @cached_property
    def num_pages(self) -> int:
        """The pages that may be opened: up to the one holding row `counted_rows`."""
        if self.capped:
            return -(-self.counted_rows // self.per_page)
        return super().num_pages

    @property
    def count_label(self) -> str:
        """"1000+" when capped, else the number of rows."""
        return f"{self.counted_rows}+" if self.capped else str(self.count)

    @property
    def pages_label(self) -> str:
        """"40+" when capped, else the number of pages."""
        return f"{self.num_pages}+" if self.capped else str(self.num_pages)


def page_of(request, queryset, per_page: int, *, counted_rows: int | None = None,
            count_queryset=None):
    """The page the request asks for (`?page=`), a bad or too deep number answering the
    nearest page, from a `BoundedPaginator`; `count_queryset`: the same rows, lean, to count."""
    paginator = BoundedPaginator(queryset, per_page, counted_rows=counted_rows,
                                 count_queryset=count_queryset)
    return paginator.get_page(request.GET.get("page"))
