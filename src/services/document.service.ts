/**
 * Customer documents: upload (type, size, content type and magic-number checks; sha256 recorded),
 * list, download and soft delete, plus the staff upload of a signed agreement, which moves the loan on
 * through its workflow exactly as an e-signature does. Transport-free: the HTTP route and GraphQL call
 * these with a ServiceContext.
 */
import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import { DomainError, InvalidStageError, NotFoundError, ValidationError } from '../domain/errors';
import type { LoanStage } from '../domain/loan-lifecycle';
import { LOAN_ACTIONS } from '../domain/origination';
import { isStaff } from '../domain/roles';
import { Document, Loan, LoanEvent, type PaymentProof } from '../entities';
import { sha256Hex } from './agreement.service';
import { actingAs, canAccessCustomer, forbidden } from './authorization';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor, ServiceContext } from './context';
import { getLoan } from './loan.service';
import { performLoanAction } from './origination.service';
import { assertProofStage, createPaymentProof, PAYMENT_PROOF, validatePaymentClaim, type PaymentClaimInput } from './payment-proof.service';
import type { DocumentStorage } from './storage';
import { optionalText, requireUuid } from './validation';

/** What a customer (or staff on their behalf) may upload before the KYC decision. */
export const CUSTOMER_DOCUMENT_TYPES = ['ID_DOCUMENT', 'PROOF_OF_ADDRESS', 'PROOF_OF_INCOME', 'OTHER'] as const;
/** The staff upload of the agreement the customer signed on paper (an alternative to e-signing). */
export const SIGNED_AGREEMENT = 'SIGNED_AGREEMENT';
export const UPLOAD_TYPES: readonly string[] = [...CUSTOMER_DOCUMENT_TYPES, SIGNED_AGREEMENT, PAYMENT_PROOF];
/** Stages in which customer documents may be added or deleted: until the KYC decision. */
export const DOCUMENT_STAGES: readonly LoanStage[] = ['APPLICATION', 'KYC_REVIEW'];
/** Staff roles that may upload or delete documents for a customer. */
export const DOCUMENT_STAFF_ROLES = ['LOAN_OFFICER', 'KYC_OFFICER', 'MANAGER'] as const;

/** Accepted content types, each with the leading bytes its files must start with. */
const MAGIC: Record<string, { ext: string; magic: Buffer }> = {
  'application/pdf': { ext: 'pdf', magic: Buffer.from('%PDF-', 'latin1') },
  'image/png': { ext: 'png', magic: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  'image/jpeg': { ext: 'jpg', magic: Buffer.from([0xff, 0xd8, 0xff]) },
};
export const ALLOWED_CONTENT_TYPES = Object.keys(MAGIC);

/** A rejected upload: BAD_USER_INPUT on `file`, with the HTTP status that says why (413, 415). */
export class UploadRejectedError extends ValidationError {
  constructor(
    message: string,
    readonly httpStatus: 413 | 415 | 400,
  ) {
    super('file', message);
    this.name = 'UploadRejectedError';
  }
}

export function documentUrl(id: string): string {
  return `/documents/${id}`;
}

export interface DocumentView {
  id: string;
  loanId: string | null;
  customerId: string;
  type: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  url: string;
  uploadedBy: string;
  createdAt: Date;
  deletedAt: Date | null;
}

export function documentView(d: Document): DocumentView {
  return {
    id: d.id,
    loanId: d.loan?.id ?? null,
    customerId: d.customer.id,
    type: d.type,
    fileName: d.fileName,
    contentType: d.contentType,
    size: d.size,
    sha256: d.sha256,
    url: documentUrl(d.id),
    uploadedBy: d.uploadedBy,
    createdAt: d.createdAt,
    deletedAt: d.deletedAt ?? null,
  };
}

/** The loan's documents (not deleted); the caller must be allowed to see the loan. */
export async function listLoanDocuments(ctx: ServiceContext, loanId: string): Promise<DocumentView[]> {
  await getLoan(ctx, loanId);
  const docs = await ctx.em.find(Document, { loan: loanId, deletedAt: null }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  return docs.map(documentView);
}

/**
 * Documents the caller may see: a customer's own (optionally of one loan); staff name a loan or a
 * customer. Oldest first, deleted ones left out.
 */
export async function listDocuments(ctx: ServiceContext, filter: { loanId?: string | null; customerId?: string | null }): Promise<DocumentView[]> {
  if (!ctx.actor.authenticated) throw new DomainError('UNAUTHENTICATED', 'Sign in first');
  const where: Record<string, unknown> = { deletedAt: null };
  if (filter.loanId) where.loan = (await getLoan(ctx, filter.loanId, 'loanId')).id;
  if (filter.customerId) {
    const customerId = requireUuid('customerId', filter.customerId);
    if (!canAccessCustomer(ctx.actor, customerId)) throw forbidden();
    where.customer = customerId;
  }
  if (!isStaff(ctx.actor.roles)) {
    if (!ctx.actor.customerId) throw forbidden();
    where.customer = ctx.actor.customerId;
  } else if (!filter.loanId && !filter.customerId) {
    throw new ValidationError('loanId', 'staff must name a loanId or a customerId');
  }
  const docs = await ctx.em.find(Document, where, { orderBy: { createdAt: 'asc', id: 'asc' } });
  return docs.map(documentView);
}

/** A document and its owner, for downloads; authorization is the caller's job (see downloadDocument). */
export async function findDocument(ctx: ServiceContext, id: string): Promise<Document | null> {
  return ctx.em.findOne(Document, { id, deletedAt: null });
}

/** The bytes of a document the caller may see (customers: only their own). */
export async function downloadDocument(ctx: ServiceContext, storage: DocumentStorage, id: string): Promise<{ document: Document; bytes: Buffer }> {
  if (!ctx.actor.authenticated) throw new DomainError('UNAUTHENTICATED', 'Sign in first: send Authorization: Bearer <accessToken>');
  const doc = await findDocument(ctx, requireUuid('id', id));
  if (!doc) throw new NotFoundError('Document', id, 'id');
  if (!canAccessCustomer(ctx.actor, doc.customer.id)) throw forbidden();
  return { document: doc, bytes: await storage.get(doc.storageKey) };
}

/** PAYMENT_PROOF uploads also carry the claim: amount, paymentDate, optional paymentReference. */
export interface UploadInput extends PaymentClaimInput {
  loanId: string | undefined;
  type: string | undefined;
  fileName: string | undefined;
  /** The content type the client claimed for the file part. */
  contentType: string | undefined;
  bytes: Buffer | undefined;
  /** Idempotency key for the signed-agreement upload (the workflow Update's request id). */
  clientMutationId?: string | null;
}

export interface UploadResult {
  document: DocumentView;
  /** For SIGNED_AGREEMENT: the loan after the workflow took the upload (stage ACTIVATION). */
  loan?: Loan;
  /** For PAYMENT_PROOF: the proof waiting for an officer's verification. */
  paymentProof?: PaymentProof;
}

/** A timeline (audit) row for a document change; the loan's stage and status stay as they are. */
function audit(em: EntityManager, loan: Loan, requestId: string, action: string, actor: Actor, data: Record<string, unknown>): void {
  em.create(LoanEvent, {
    loan: loan.id, requestId, action, fromStage: loan.stage, toStage: loan.stage, fromStatus: loan.status, toStatus: loan.status,
    actor: actor.id, actorRole: actor.role, data,
  });
}

/** Checks type, size, claimed content type and the bytes' magic number; returns the file extension. */
function checkFile(ctx: ServiceContext, input: UploadInput): { bytes: Buffer; contentType: string; ext: string; fileName: string } {
  const bytes = input.bytes;
  if (!bytes || bytes.length === 0) throw new UploadRejectedError('a non-empty file is required (multipart field "file")', 400);
  if (bytes.length > ctx.config.documents.maxUploadBytes) {
    throw new UploadRejectedError(`is larger than ${ctx.config.documents.maxUploadBytes} bytes`, 413);
  }
  const contentType = String(input.contentType ?? '').split(';')[0].trim().toLowerCase();
  const kind = MAGIC[contentType];
  if (!kind) throw new UploadRejectedError(`content type "${contentType}" is not accepted (${ALLOWED_CONTENT_TYPES.join(', ')})`, 415);
  if (bytes.length < kind.magic.length || !bytes.subarray(0, kind.magic.length).equals(kind.magic)) {
    throw new UploadRejectedError(`the file's content is not ${contentType}`, 415);
  }
  // Keep only a plain base name: no paths, no control characters, bounded length.
  const base = String(input.fileName ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const fileName = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 200) || `upload.${kind.ext}`;
  return { bytes, contentType, ext: kind.ext, fileName };
}

/**
 * Stores an uploaded file for a loan. Customer document types: the loan's customer (only their own
 * loan) or staff (LOAN_OFFICER, KYC_OFFICER, MANAGER), only before the KYC decision (INVALID_STAGE
 * after). SIGNED_AGREEMENT: LOAN_OFFICER or MANAGER at stage AGREEMENT; the document is then given to
 * the loan's workflow as the `uploadSignedAgreement` Update, which moves the loan to ACTIVATION as
 * signAgreement does. A rejected upload leaves no row and no bytes behind.
 */
export async function uploadDocument(ctx: ServiceContext, storage: DocumentStorage, input: UploadInput): Promise<UploadResult> {
  if (!ctx.actor.authenticated) throw new DomainError('UNAUTHENTICATED', 'Sign in first: send Authorization: Bearer <accessToken>');
  const type = String(input.type ?? '').trim().toUpperCase();
  if (!UPLOAD_TYPES.includes(type)) throw new ValidationError('type', `must be one of ${UPLOAD_TYPES.join(', ')}`);
  if (!input.loanId) throw new ValidationError('loanId', 'is required');
  const loan = await getLoan(ctx, input.loanId, 'loanId');
  const signed = type === SIGNED_AGREEMENT;
  const actor = signed
    ? actingAs(ctx.actor, LOAN_ACTIONS.uploadSignedAgreement.roles)
    : isStaff(ctx.actor.roles)
      ? actingAs(ctx.actor, DOCUMENT_STAFF_ROLES)
      : actingAs(ctx.actor, ['CUSTOMER']);
  const clientMutationId = optionalText('clientMutationId', input.clientMutationId, 100);
  if (signed && clientMutationId) {
    // A retried upload whose Update already went through returns the first result, storing nothing.
    const done = await ctx.em.findOne(LoanEvent, { loan: loan.id, requestId: clientMutationId });
    const docId = loan.origination?.agreement?.signedDocumentId;
    if (done && docId) return { document: documentView(await ctx.em.findOneOrFail(Document, docId)), loan };
  }
  const proof = type === PAYMENT_PROOF;
  if (proof) assertProofStage(loan);
  if (!signed && !proof && !DOCUMENT_STAGES.includes(loan.stage)) {
    throw new InvalidStageError(`Documents can be added only before the KYC decision; the loan is ${loan.stage} (status ${loan.status})`);
  }
  if (signed && loan.stage !== 'AGREEMENT') {
    throw new InvalidStageError(`A signed agreement can be uploaded only at stage AGREEMENT; the loan is ${loan.stage} (status ${loan.status})`);
  }
  const file = checkFile(ctx, input);
  const claim = proof ? await validatePaymentClaim(ctx.em, loan, input) : null;
  const sha256 = sha256Hex(file.bytes);
  const id = randomUUID();
  // Per document, so deleting one never removes bytes another document points at.
  const storageKey = `loans/${loan.id}/${id}-${sha256}.${file.ext}`;
  await storage.put(storageKey, file.bytes);
  let doc: Document;
  let paymentProof: PaymentProof | undefined;
  try {
    doc = await ctx.em.transactional(async (em) => {
      // Share-lock the loan so a concurrent KYC decision is persisted either before or after this row.
      const locked = await em.findOneOrFail(Loan, loan.id, { lockMode: LockMode.PESSIMISTIC_READ, refresh: true });
      if (proof) assertProofStage(locked);
      else if (!signed && !DOCUMENT_STAGES.includes(locked.stage)) {
        throw new InvalidStageError(`Documents can be added only before the KYC decision; the loan is ${locked.stage} (status ${locked.status})`);
      }
      const d = em.create(Document, {
        id,
        customer: locked.customer.id,
        loan: locked.id,
        type,
        fileName: file.fileName,
        contentType: file.contentType,
        size: file.bytes.length,
        sha256,
        storageKey,
        uploadedBy: actor.id,
      });
      if (claim) paymentProof = createPaymentProof(em, locked, id, claim, actor);
      else if (!signed) audit(em, locked, `document-upload-${id}`, 'DOCUMENT_UPLOADED', actor, { documentId: id, type, sha256, size: file.bytes.length });
      await em.flush();
      return d;
    });
  } catch (err) {
    await storage.delete(storageKey);
    throw err;
  }
  if (!signed) return { document: documentView(doc), ...(paymentProof ? { paymentProof } : {}) };
  try {
    const updated = await performLoanAction(ctx, loan.id, 'uploadSignedAgreement', { documentId: doc.id, documentHash: sha256 }, clientMutationId);
    return { document: documentView(doc), loan: updated };
  } catch (err) {
    // The workflow refused (stage moved on, agreement not generated yet, ...): keep nothing.
    await ctx.em.nativeDelete(Document, { id: doc.id });
    await storage.delete(storageKey);
    throw err;
  }
}

/**
 * Soft-deletes a customer document (the bytes stay for audit): the owner or staff, only customer
 * document types, only before the KYC decision. Deleting a deleted document returns it unchanged.
 */
export async function deleteDocument(ctx: ServiceContext, id: string): Promise<DocumentView> {
  if (!ctx.actor.authenticated) throw new DomainError('UNAUTHENTICATED', 'Sign in first');
  const docId = requireUuid('id', id);
  return ctx.em.transactional(async (em) => {
    const doc = await em.findOne(Document, { id: docId });
    if (!doc) throw new NotFoundError('Document', id, 'id');
    if (!canAccessCustomer(ctx.actor, doc.customer.id)) throw forbidden();
    const actor = isStaff(ctx.actor.roles) ? actingAs(ctx.actor, DOCUMENT_STAFF_ROLES) : actingAs(ctx.actor, ['CUSTOMER']);
    if (!(CUSTOMER_DOCUMENT_TYPES as readonly string[]).includes(doc.type)) throw forbidden(`${doc.type} documents cannot be deleted`);
    if (doc.deletedAt) return documentView(doc);
    if (doc.loan) {
      const loan = await em.findOneOrFail(Loan, doc.loan.id, { lockMode: LockMode.PESSIMISTIC_READ });
      if (!DOCUMENT_STAGES.includes(loan.stage)) {
        throw new InvalidStageError(`Documents can be deleted only before the KYC decision; the loan is ${loan.stage} (status ${loan.status})`);
      }
    }
    doc.deletedAt = new Date();
    if (doc.loan) {
      const loan = await em.findOneOrFail(Loan, doc.loan.id);
      audit(em, loan, `document-delete-${doc.id}`, 'DOCUMENT_DELETED', actor, { documentId: doc.id, type: doc.type, sha256: doc.sha256 });
    }
    await em.flush();
    return documentView(doc);
  });
}
