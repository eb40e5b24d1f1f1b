"""Contains all the data models used in inputs/outputs"""

from .api_key import ApiKey
from .api_key_created import ApiKeyCreated
from .api_key_list import ApiKeyList
from .breaker_state import BreakerState
from .circuit_breaker_state import CircuitBreakerState
from .circuit_breaker_state_list import CircuitBreakerStateList
from .circuit_breaker_thresholds import CircuitBreakerThresholds
from .concurrency_limit import ConcurrencyLimit
from .current_api_key import CurrentApiKey
from .dead_letter_audit_record import DeadLetterAuditRecord
from .dead_letter_audit_record_action import DeadLetterAuditRecordAction
from .dead_letter_audit_record_changes_type_0 import DeadLetterAuditRecordChangesType0
from .dead_letter_bulk_discard_request import DeadLetterBulkDiscardRequest
from .dead_letter_bulk_requeue_request import DeadLetterBulkRequeueRequest
from .dead_letter_bulk_requeue_request_input_overrides import (
    DeadLetterBulkRequeueRequestInputOverrides,
)
from .dead_letter_bulk_result import DeadLetterBulkResult
from .dead_letter_count import DeadLetterCount
from .dead_letter_discard_request import DeadLetterDiscardRequest
from .dead_letter_filter import DeadLetterFilter
from .dead_letter_queue import DeadLetterQueue
from .dead_letter_queue_config import DeadLetterQueueConfig
from .dead_letter_queue_error_type_0 import DeadLetterQueueErrorType0
from .dead_letter_queue_inputs import DeadLetterQueueInputs
from .dead_letter_queue_list import DeadLetterQueueList
from .dead_letter_reason import DeadLetterReason
from .dead_letter_requeue_request import DeadLetterRequeueRequest
from .dead_letter_requeue_request_input_overrides import DeadLetterRequeueRequestInputOverrides
from .dead_letter_status import DeadLetterStatus
from .execution_control_record import ExecutionControlRecord
from .execution_control_record_action import ExecutionControlRecordAction
from .execution_graph_node import ExecutionGraphNode
from .execution_status import ExecutionStatus
from .health import Health
from .health_database import HealthDatabase
from .health_status import HealthStatus
from .problem import Problem
from .problem_errors_item import ProblemErrorsItem
from .rate_limit import RateLimit
from .rate_limit_list import RateLimitList
from .rate_limit_settings import RateLimitSettings
from .retry_policy import RetryPolicy
from .role import Role
from .run import Run
from .run_batch_heartbeat_request import RunBatchHeartbeatRequest
from .run_batch_heartbeat_response import RunBatchHeartbeatResponse
from .run_claim_request import RunClaimRequest
from .run_claim_response import RunClaimResponse
from .run_complete_request import RunCompleteRequest
from .run_config import RunConfig
from .run_error import RunError
from .run_error_type_0 import RunErrorType0
from .run_fail_request import RunFailRequest
from .run_heartbeat_request import RunHeartbeatRequest
from .run_heartbeat_response import RunHeartbeatResponse
from .run_heartbeat_status import RunHeartbeatStatus
from .run_inputs import RunInputs
from .run_lease_ref import RunLeaseRef
from .run_list import RunList
from .run_release_request import RunReleaseRequest
from .run_release_response import RunReleaseResponse
from .run_status import RunStatus
from .schedule import Schedule
from .schedule_inputs import ScheduleInputs
from .schedule_list import ScheduleList
from .schedule_overlap import ScheduleOverlap
from .signal import Signal
from .step import Step
from .step_config import StepConfig
from .step_inputs import StepInputs
from .wait_config import WaitConfig
from .workflow import Workflow
from .workflow_execution import WorkflowExecution
from .workflow_execution_batch import WorkflowExecutionBatch
from .workflow_execution_batch_item import WorkflowExecutionBatchItem
from .workflow_execution_batch_item_inputs import WorkflowExecutionBatchItemInputs
from .workflow_execution_batch_result import WorkflowExecutionBatchResult
from .workflow_execution_batch_results import WorkflowExecutionBatchResults
from .workflow_execution_counts import WorkflowExecutionCounts
from .workflow_execution_counts_counts import WorkflowExecutionCountsCounts
from .workflow_execution_error_type_0 import WorkflowExecutionErrorType0
from .workflow_execution_graph import WorkflowExecutionGraph
from .workflow_execution_inputs import WorkflowExecutionInputs
from .workflow_execution_list import WorkflowExecutionList
from .workflow_execution_outputs_type_0 import WorkflowExecutionOutputsType0
from .workflow_list import WorkflowList
from .workflow_version import WorkflowVersion
from .workflow_version_list import WorkflowVersionList

__all__ = (
    "ApiKey",
    "ApiKeyCreated",
    "ApiKeyList",
    "BreakerState",
    "CircuitBreakerState",
    "CircuitBreakerStateList",
    "CircuitBreakerThresholds",
    "ConcurrencyLimit",
    "CurrentApiKey",
    "DeadLetterAuditRecord",
    "DeadLetterAuditRecordAction",
    "DeadLetterAuditRecordChangesType0",
    "DeadLetterBulkDiscardRequest",
    "DeadLetterBulkRequeueRequest",
    "DeadLetterBulkRequeueRequestInputOverrides",
    "DeadLetterBulkResult",
    "DeadLetterCount",
    "DeadLetterDiscardRequest",
    "DeadLetterFilter",
    "DeadLetterQueue",
    "DeadLetterQueueConfig",
    "DeadLetterQueueErrorType0",
    "DeadLetterQueueInputs",
    "DeadLetterQueueList",
    "DeadLetterReason",
    "DeadLetterRequeueRequest",
    "DeadLetterRequeueRequestInputOverrides",
    "DeadLetterStatus",
    "ExecutionControlRecord",
    "ExecutionControlRecordAction",
    "ExecutionGraphNode",
    "ExecutionStatus",
    "Health",
    "HealthDatabase",
    "HealthStatus",
    "Problem",
    "ProblemErrorsItem",
    "RateLimit",
    "RateLimitList",
    "RateLimitSettings",
    "RetryPolicy",
    "Role",
    "Run",
    "RunBatchHeartbeatRequest",
    "RunBatchHeartbeatResponse",
    "RunClaimRequest",
    "RunClaimResponse",
    "RunCompleteRequest",
    "RunConfig",
    "RunError",
    "RunErrorType0",
    "RunFailRequest",
    "RunHeartbeatRequest",
    "RunHeartbeatResponse",
    "RunHeartbeatStatus",
    "RunInputs",
    "RunLeaseRef",
    "RunList",
    "RunReleaseRequest",
    "RunReleaseResponse",
    "RunStatus",
    "Schedule",
    "ScheduleInputs",
    "ScheduleList",
    "ScheduleOverlap",
    "Signal",
    "Step",
    "StepConfig",
    "StepInputs",
    "WaitConfig",
    "Workflow",
    "WorkflowExecution",
    "WorkflowExecutionBatch",
    "WorkflowExecutionBatchItem",
    "WorkflowExecutionBatchItemInputs",
    "WorkflowExecutionBatchResult",
    "WorkflowExecutionBatchResults",
    "WorkflowExecutionCounts",
    "WorkflowExecutionCountsCounts",
    "WorkflowExecutionErrorType0",
    "WorkflowExecutionGraph",
    "WorkflowExecutionInputs",
    "WorkflowExecutionList",
    "WorkflowExecutionOutputsType0",
    "WorkflowList",
    "WorkflowVersion",
    "WorkflowVersionList",
)
