import { Badge, Tooltip } from '@mantine/core';

/** Props of SameContentBadge. */
export interface SameContentBadgeProps {
  /** The older export with the same source, settings and content. */
  sameAs: number;
}

/** Says that an export holds exactly what an older one does, so it need not be downloaded again. */
export function SameContentBadge({ sameAs }: SameContentBadgeProps) {
  return (
    <Tooltip
      multiline
      w={280}
      withArrow
      label={`Nothing changed between export #${sameAs} and this one: same source, same settings and the same content hash (content_sha256). If you have #${sameAs}, you may not need to download this one again.`}
    >
      <Badge color="teal" variant="light" size="sm" tabIndex={0}>
        same content as #{sameAs}
      </Badge>
    </Tooltip>
  );
}
