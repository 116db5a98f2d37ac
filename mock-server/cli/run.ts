/** The scv-mock command's entry: runs main with the process arguments and exits with its code. */
import { main } from './main.ts';

process.exit(await main(process.argv.slice(2), process.argv[1]));
