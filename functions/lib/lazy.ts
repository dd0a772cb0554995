/**
 * `load` run on the first call only, its promise shared by every later call: what a path needs is
 * loaded and built once per container, and only when that path first runs. A failed load is not
 * kept: the next call tries again.
 */
export const lazy = <T>(load: () => Promise<T>): (() => Promise<T>) => {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
};
