/** `npm run schema:emit`: writes the schema's SDL to schema.graphql (see src/graphql/sdl.ts). */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { buildSdl, SDL_FILE } from '../src/graphql/sdl';

buildSdl()
  .then((sdl) => {
    writeFileSync(SDL_FILE, sdl);
    console.log(`Wrote ${SDL_FILE}`);
  })
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
