/** A column of a bench table: its title and its width in characters. */
export type Column = readonly [title: string, width: number];

/** One row of a bench table: the first cell left-aligned, the figures right-aligned. */
export const tableLine = (columns: readonly Column[], cells: readonly string[]): string =>
  cells
    .map((cell, index) => {
      const width = columns[index]?.[1] ?? 0;
      return index === 0 ? cell.padEnd(width) : cell.padStart(width);
    })
    .join(' ')
    .trimEnd();
