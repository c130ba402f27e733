// A script's entry: exits with main's code (0 when it returns nothing), or 1 with the error printed.
export function runMain(main: () => Promise<number | undefined | void>): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
