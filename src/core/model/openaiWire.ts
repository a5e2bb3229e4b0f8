import { z } from 'zod';
import type { ChatMessage, ChatRequest, Usage } from './modelPort';

/**
 * The OpenAI chat-completions wire format, as spoken by OpenAI, Ollama, LM Studio, vLLM and
 * llama.cpp: the request body we send and zod schemas for what comes back. Schemas are lenient
 * where servers differ (missing ids, `arguments` as an object, extra fields) and strict where
 * an answer would otherwise be silently wrong (no choices, no message).
 */

export function toWireMessage(m: ChatMessage): Record<string, unknown> {
  switch (m.role) {
    case 'assistant':
      return m.toolCalls?.length
        ? {
            role: 'assistant',
            content: m.content === '' ? null : m.content,
            tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.arguments) } })),
          }
        : { role: 'assistant', content: m.content };
    case 'tool':
      return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
    default:
      return { role: m.role, content: m.content };
  }
}

export function toWireRequest(model: string, request: ChatRequest, stream: boolean): Record<string, unknown> {
  const offerTools = request.tools?.length && request.toolChoice !== 'none';
  return {
    model,
    messages: request.messages.map(toWireMessage),
    ...(offerTools
      ? {
          tools: request.tools?.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } })),
          ...(request.toolChoice ? { tool_choice: request.toolChoice } : {}),
        }
      : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
    stream,
  };
}

const WireUsage = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative().optional(),
});

export function fromWireUsage(u: z.infer<typeof WireUsage> | null | undefined): Usage | undefined {
  return u ? { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens, totalTokens: u.total_tokens ?? u.prompt_tokens + u.completion_tokens } : undefined;
}

/** `{"error": {"message": …}}` (or a bare string), which servers send instead of an answer. */
export const WireError = z.object({
  error: z.union([z.string(), z.object({ message: z.string().optional(), type: z.string().nullish(), code: z.union([z.string(), z.number()]).nullish() })]),
});

export function wireErrorMessage(body: unknown): string | undefined {
  const e = WireError.safeParse(body);
  if (!e.success) return undefined;
  return typeof e.data.error === 'string' ? e.data.error : (e.data.error.message ?? JSON.stringify(e.data.error));
}

export const WireCompletion = z.object({
  choices: z
    .array(
      z.object({
        index: z.number().int().optional(),
        message: z.object({
          content: z.string().nullish(),
          tool_calls: z
            .array(
              z.object({
                id: z.string().nullish(),
                type: z.string().nullish(),
                function: z.object({ name: z.string().min(1), arguments: z.unknown() }),
              }),
            )
            .nullish(),
        }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1, 'the response has no choices'),
  usage: WireUsage.nullish(),
});
export type WireCompletion = z.infer<typeof WireCompletion>;

export const WireChunk = z.object({
  choices: z
    .array(
      z.object({
        index: z.number().int().optional(),
        delta: z
          .object({
            content: z.string().nullish(),
            tool_calls: z
              .array(
                z.object({
                  index: z.number().int().nonnegative().optional(),
                  id: z.string().nullish(),
                  type: z.string().nullish(),
                  function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
                }),
              )
              .nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .default([]),
  usage: WireUsage.nullish(),
});
export type WireChunk = z.infer<typeof WireChunk>;

/** The first issue of a zod error as `path: message`, for error messages. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'does not match the expected shape';
  return `${issue.path.length ? issue.path.join('.') : '(body)'}: ${issue.message}`;
}
