import { z } from "zod";
import { ipv4Cidr } from "./primitives.ts";

export const tailnetSchema = z.strictObject({
  domain: z.string().regex(/^[a-z0-9.-]+$/),
  cidr: ipv4Cidr,
});

export type TailnetConfig = z.infer<typeof tailnetSchema>;
