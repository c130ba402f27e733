-- Knowledge answers (issue 5), hand-written: forced row-level security on the unanswered questions.
SELECT enable_tenant_rls('knowledge_unanswered');
