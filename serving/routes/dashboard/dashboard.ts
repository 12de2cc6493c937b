import type { ServingContext } from '../../context.js';
import { RunBook } from './run-book.js';
import { RunTable } from './run-table.js';
import { SpendBook } from './spend-book.js';
import { SpendTally } from './spend-tally.js';
import type { SpendTallyView } from './schemas.js';

/** What the dashboard routes read: the books the taps fill, and the run table the served model learned from. */
export interface Dashboard {
  readonly spend: SpendBook;
  readonly runs: RunBook;
  readonly table: RunTable;
  readonly emptyTally: SpendTallyView;
}

export function createDashboard(ctx: ServingContext): Dashboard {
  return {
    spend: new SpendBook({ clock: ctx.clock, windows: ctx.streaming?.windows }),
    runs: new RunBook(ctx.clock),
    table: new RunTable({ path: () => ctx.registry.model?.card.data.source, model: () => ctx.registry.model, catalog: ctx.catalog, clock: ctx.clock }),
    emptyTally: new SpendTally().view(),
  };
}
