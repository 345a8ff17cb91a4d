// {{rankName user.rank}} → "Contributor".
import { rankNames } from '../../permissions.ts';

export const rankName = (rank: unknown) => rankNames[Number(rank)] ?? '';
