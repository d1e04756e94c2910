"""网上投诉代理工作平台: the online complaint proxy platform.

Apps, one per area of the work, each with the same rooms
(models, actions, selectors, forms, views, urls, tests):

- ``core``: encryption of personal data, masking, validators, security middleware.
- ``accounts``: units (镇, 部门, 信访局), users and roles, agents' public profiles, login.
- ``audit``: the append-only audit log (logins, refusals, reveals, exports).
- ``reference``: policy kept as data (内容分类, submission platforms).
- ``cases``: the proxied case from first contact to its submission, and the ledger (台账).
"""
