/**
 * The reference `bench:reads` measures beside the API: the same stack with nothing of ours in it —
 * express 5, Apollo Server 5 (production mode, no landing page), a type-graphql schema of two fields and
 * one `pg` pool — so the figures show what the stack itself costs on the machine. No auth, limits,
 * plugins, metrics, tracing, request context or security headers:
 *   `{ hello }` answers from memory; `{ loan(id) { id status principal } }` reads one row by primary key.
 * Started by bench/reads.bench.ts as a child (DATABASE_URL, PORT); logs "bare server on <port>" when ready.
 */
import 'reflect-metadata';
import { createServer } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { Pool } from 'pg';
import { Arg, buildSchema, Field, ID, ObjectType, Query, Resolver } from 'type-graphql';

@ObjectType()
class BareLoan {
  @Field(() => ID) id!: string;
  @Field() status!: string;
  @Field() principal!: string;
}

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

@Resolver()
class BareResolver {
  @Query(() => String)
  hello(): string {
    return 'world';
  }

  @Query(() => BareLoan, { nullable: true })
  async loan(@Arg('id', () => ID) id: string): Promise<BareLoan | null> {
    const { rows } = await pool.query<BareLoan>('select id::text, status, principal::text from loan where id = $1', [id]);
    return rows[0] ?? null;
  }
}

async function main(): Promise<void> {
  const schema = await buildSchema({ resolvers: [BareResolver], validate: false });
  const app = express();
  const httpServer = createServer(app);
  const apollo = new ApolloServer({ schema, plugins: [ApolloServerPluginLandingPageDisabled()] });
  await apollo.start();
  app.use('/graphql', express.json(), expressMiddleware(apollo));
  const port = Number(process.env.PORT ?? 4100);
  httpServer.listen(port, '127.0.0.1', () => console.log(JSON.stringify({ level: 30, msg: `bare server on ${port}` })));
  process.once('SIGINT', () => {
    httpServer.close();
    void apollo.stop().then(() => pool.end()).then(() => process.exit(0));
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
