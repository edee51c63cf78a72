/**
 * Document upload and download over plain HTTP (GraphQL carries no files):
 *   POST /documents      multipart/form-data: file, loanId, type[, clientMutationId] → 201 JSON
 *                        (type PAYMENT_PROOF also: amount, paymentDate[, paymentReference])
 *   GET  /documents/:id  the bytes, with their Content-Type and an attachment Content-Disposition
 *   GET  /documents/loans/:loanId/statement
 *                        the loan's account statement as of the business date (PDF, rendered on request)
 * Same Bearer auth as /graphql; errors have the GraphQL shape {errors:[{message, extensions:{code, field}}]}.
 * The rules live in src/services/document.service.ts.
 */
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import multer from 'multer';
import type { AppConfig } from '../config';
import { DomainError, type ErrorCode } from '../domain/errors';
import { assertStorableInput } from '../domain/text';
import type { Logger } from '../logger';
import { actorFromToken, bearerToken } from '../services/auth.service';
import { ANONYMOUS_ACTOR, type ServiceContext } from '../services/context';
import { downloadDocument, UploadRejectedError, uploadDocument } from '../services/document.service';
import { paymentProofView } from '../services/payment-proof.service';
import { renderLoanStatement } from '../services/statement.service';
import type { DocumentStorage } from '../services/storage';
import type { LoanWorkflowGateway } from '../temporal-client';
import type { MikroORM } from '@mikro-orm/postgresql';

export interface DocumentRouteDeps {
  orm: MikroORM;
  temporal: LoanWorkflowGateway;
  config: AppConfig;
  log: Logger;
  storage: DocumentStorage;
}

const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_STAGE: 409,
  LOAN_LOCKED: 409,
  UNAVAILABLE: 503,
  RATE_LIMITED: 429,
};

/** Room for the form fields and part headers around the file in a multipart body. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

function sendError(res: Response, status: number, code: string, message: string, field?: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code, ...(field ? { field } : {}) } }] });
}

async function context(req: Request, deps: DocumentRouteDeps): Promise<ServiceContext> {
  const bearer = bearerToken(req.headers.authorization);
  const actor = (await actorFromToken(bearer, deps.config)) ?? ANONYMOUS_ACTOR;
  return { em: deps.orm.em.fork(), actor, config: deps.config, temporal: deps.temporal, ip: req.ip ?? null };
}

/** ASCII fallback plus RFC 5987 UTF-8 name, so any file name downloads safely. */
function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export function documentRoutes(deps: DocumentRouteDeps): express.Router {
  const router = express.Router();
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: deps.config.documents.maxUploadBytes, files: 1, fields: 10, fieldSize: 1024, parts: 12 },
  }).single('file');

  const fail = (res: Response, err: unknown) => {
    if (err instanceof UploadRejectedError) return sendError(res, err.httpStatus, err.code, err.message, err.field);
    if (err instanceof DomainError) return sendError(res, HTTP_STATUS[err.code] ?? 400, err.code, err.message, err.field);
    if (err instanceof multer.MulterError) {
      if (err.code === 'LIMIT_FILE_SIZE') {
        return sendError(res, 413, 'BAD_USER_INPUT', `file: is larger than ${deps.config.documents.maxUploadBytes} bytes`, 'file');
      }
      return sendError(res, 400, 'BAD_USER_INPUT', `${err.field ?? 'file'}: ${err.message}`, err.field ?? 'file');
    }
    const correlationId = randomUUID();
    deps.log.error({ err, correlationId }, 'unexpected error in document request');
    res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId } }] });
  };

  // Anonymous requests are turned away before any upload is read.
  const authenticate = async (req: Request, res: Response, next: NextFunction) => {
    const ctx = await context(req, deps).catch(next);
    if (!ctx) return;
    if (!ctx.actor.authenticated) return sendError(res, 401, 'UNAUTHENTICATED', 'Sign in first: send Authorization: Bearer <accessToken>');
    res.locals.ctx = ctx;
    next();
  };

  router.post('/', authenticate, (req, res) => {
    if (!req.is('multipart/form-data')) {
      return sendError(res, 415, 'BAD_USER_INPUT', 'file: send multipart/form-data with fields file, loanId and type', 'file');
    }
    // A body far beyond the limit is refused before it is read (multer would read and drain it all).
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > deps.config.documents.maxUploadBytes + MULTIPART_OVERHEAD_BYTES) {
      res.setHeader('Connection', 'close');
      return sendError(res, 413, 'BAD_USER_INPUT', `file: is larger than ${deps.config.documents.maxUploadBytes} bytes`, 'file');
    }
    upload(req, res, async (err: unknown) => {
      if (err) return fail(res, err);
      try {
        const body = (req.body ?? {}) as Record<string, string | undefined>;
        assertStorableInput('', { ...body, fileName: req.file?.originalname });
        const result = await uploadDocument(res.locals.ctx as ServiceContext, deps.storage, {
          loanId: body.loanId,
          type: body.type,
          clientMutationId: body.clientMutationId,
          amount: body.amount,
          paymentDate: body.paymentDate,
          paymentReference: body.paymentReference,
          fileName: req.file?.originalname,
          contentType: req.file?.mimetype,
          bytes: req.file?.buffer,
        });
        const loan = result.loan ? { id: result.loan.id, stage: result.loan.stage, status: result.loan.status, version: result.loan.version } : undefined;
        const paymentProof = result.paymentProof ? paymentProofView(result.paymentProof) : undefined;
        res.status(201).json({ document: result.document, ...(loan ? { loan } : {}), ...(paymentProof ? { paymentProof } : {}) });
      } catch (e) {
        fail(res, e);
      }
    });
  });

  // Whoever may see the loan (its borrower, staff) may download its statement.
  router.get('/loans/:loanId/statement', authenticate, async (req, res) => {
    try {
      const statement = await renderLoanStatement(res.locals.ctx as ServiceContext, String(req.params.loanId));
      res.status(200);
      res.setHeader('Content-Type', 'application/pdf');
      res.setHeader('Content-Length', String(statement.bytes.length));
      res.setHeader('Content-Disposition', contentDisposition(statement.fileName));
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Cache-Control', 'private, no-store');
      res.end(statement.bytes);
    } catch (e) {
      fail(res, e);
    }
  });

  router.get('/:id', authenticate, async (req, res) => {
    try {
      const { document, bytes } = await downloadDocument(res.locals.ctx as ServiceContext, deps.storage, String(req.params.id));
      res.status(200);
      res.setHeader('Content-Type', document.contentType);
      res.setHeader('Content-Length', String(bytes.length));
      res.setHeader('Content-Disposition', contentDisposition(document.fileName));
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('ETag', `"${document.sha256}"`);
      res.setHeader('Cache-Control', 'private, no-store');
      res.end(bytes);
    } catch (e) {
      fail(res, e);
    }
  });
  return router;
}
