// The kinds of file an admin may allow members to upload (the setting upload_kinds), with the
// words the settings page and the uploads' refusals name them by. Here, beside the settings,
// because the settings page offers them and every feature reads the settings (server/uploads/
// decides what a file is).
import type { UploadKind } from '../../db/schema.ts';

export const uploadKinds: readonly UploadKind[] = ['image', 'pdf', 'text', 'zip'];

export const kindNames: Record<UploadKind, string> = {
  image: 'images (JPEG, PNG, WebP, GIF)',
  pdf: 'PDF documents',
  text: 'plain text',
  zip: 'zip archives',
};
