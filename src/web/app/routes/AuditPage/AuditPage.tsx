import { useParams } from 'react-router';
import { AuditTable } from '../../../features/accounts/components/AuditTable/AuditTable.tsx';
import { ProjectAdminGate } from '../../../features/accounts/components/ProjectAdminGate/ProjectAdminGate.tsx';

/** `/projects/:project/audit`: who did what in the project, for its admins. */
export function AuditPage() {
  const { project = '' } = useParams();
  return (
    <ProjectAdminGate
      key={project}
      project={project}
      page="audit"
      title="Audit log"
      notAllowed="Only project admins see the audit log"
    >
      {() => <AuditTable project={project} />}
    </ProjectAdminGate>
  );
}
