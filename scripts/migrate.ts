/** `npm run migrate`: creates the database if missing and applies pending migrations. */
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/database';

openDatabase(loadConfig().databaseUrl, { migrate: true })
  .then((orm) => orm.close())
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
