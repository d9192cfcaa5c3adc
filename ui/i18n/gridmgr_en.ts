<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name></name>
    <message>
        <location filename="../detail_html.py" line="+33"/>
        <source>{label}：{value}</source>
        <translation>{label}: {value}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>（{text}）</source>
        <translation> ({text})</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>未落实</source>
        <translation>not assigned</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>企业 {n} 家，其中重点 {k} 家</source>
        <translation>{n} enterprises, {k} of them key enterprises</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>另有 {n} 家</source>
        <translation>{n} more</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>编码</source>
        <translation>Code</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>上级</source>
        <translation>Parent</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>面积：{ha} 公顷</source>
        <translation>Area: {ha} ha</translation>
    </message>
    <message>
        <location line="-12"/>
        <source>责任人</source>
        <translation>Responsible officer</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>区级监管责任人</source>
        <translation>District supervisor</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>下辖{level} {n} 个</source>
        <translation>Child areas ({level}): {n}</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>统一社会信用代码</source>
        <translation>Unified social credit code</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>监管类别</source>
        <translation>Supervision class</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>环境信用评价</source>
        <translation>Environmental credit rating</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>行业</source>
        <translation>Industry</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>联系人</source>
        <translation>Contact person</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>检查频次</source>
        <translation>Inspection frequency</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>上次检查</source>
        <translation>Last inspection</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>企业</source>
        <translation>Enterprise</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>所在网格</source>
        <translation>Grid cell</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>人员</source>
        <translation>Officer</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>工号</source>
        <translation>Staff number</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>手机</source>
        <translation>Mobile</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>角色</source>
        <translation>Role</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>单位</source>
        <translation>Unit</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>负责网格（{role}）</source>
        <translation>Cells as {role}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>负责网格（责任人）</source>
        <translation>Cells as responsible officer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>监管网格（区级监管责任人）</source>
        <translation>Cells as district supervisor</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{n} 个</source>
        <translation>{n}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>另有 {n} 个</source>
        <translation>{n} more</translation>
    </message>
</context>
<context>
    <name>ActionDialog</name>
    <message>
        <location filename="../case_detail.py" line="+129"/>
        <source>{action} — 案件 {no}</source>
        <translation>{action} — case {no}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>（不记录）</source>
        <translation>(not recorded)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>操作人：</source>
        <translation>Done by:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>操作时间：</source>
        <translation>Done at:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>按属地自动确定</source>
        <translation>Automatic, by location</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>属地责任人：{who}</source>
        <translation>Responsible for the location: {who}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>派遣给：</source>
        <translation>Dispatch to:</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>（请选择）</source>
        <translation>(choose)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>批准人（必填）：</source>
        <translation>Approved by (required):</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>现截止时间：</source>
        <translation>Current deadline:</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>（无）</source>
        <translation>(none)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>新的截止时间：</source>
        <translation>New deadline:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>理由、说明</source>
        <translation>Reason, remarks</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>说明（可不填）</source>
        <translation>Remarks (optional)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>说明（必填）：</source>
        <translation>Remarks (required):</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>说明：</source>
        <translation>Remarks:</translation>
    </message>
</context>
<context>
    <name>AssignDialog</name>
    <message>
        <location filename="../assign_dialog.py" line="+33"/>
        <source>指定责任人</source>
        <translation>Assign responsible officer</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{name}（{staff}，{role}）</source>
        <translation>{name} ({staff}, {role})</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>未定角色</source>
        <translation>no role</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>、</source>
        <translation>, </translation>
    </message>
    <message>
        <location line="+1"/>
        <source> 等 {n} 个</source>
        <translation> … {n} in all</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>单元网格：</source>
        <translation>Grid cells:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>人员：</source>
        <translation>Officer:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>角色：</source>
        <translation>Role:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>起始日期：</source>
        <translation>From:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>该网格原有的同类责任人自起始日期起卸任，原记录保留。</source>
        <translation>The cell&apos;s previous officer in this role stands down from that day; their record is kept.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>网格团队的其他角色（如执法队员之于网格员）不受影响。</source>
        <translation>The other roles of the cell&apos;s team (an enforcement officer beside the grid worker) are not affected.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>指定</source>
        <translation>Assign</translation>
    </message>
</context>
<context>
    <name>Buttons</name>
    <message>
        <location filename="../buttons.py" line="+17"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>CaseAction</name>
    <message>
        <location filename="../i18n.py" line="+104"/>
        <source>受理</source>
        <translation>Accept</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>核实</source>
        <translation>Confirm</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>立案</source>
        <translation>Register</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>派遣</source>
        <translation>Dispatch</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>处置</source>
        <translation>Handle</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>反馈</source>
        <translation>Report back</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>核查通过</source>
        <translation>Pass verification</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>结案</source>
        <translation>Close case</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>作废</source>
        <translation>Void</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>回退</source>
        <translation>Send back</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>延期</source>
        <translation>Extend</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>返工</source>
        <translation>Rework</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>挂账</source>
        <translation>Put on hold</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>督办</source>
        <translation>Supervise</translation>
    </message>
</context>
<context>
    <name>CaseActionHint</name>
    <message>
        <location line="+5"/>
        <source>核实问题属实</source>
        <translation>Confirm that the problem is real</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>符合立案条件，立案</source>
        <translation>Meets the registration conditions: register the case</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>派遣给责任人处置</source>
        <translation>Dispatch to the responsible officer for handling</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>责任人接收并开始处置</source>
        <translation>The responsible officer takes the case and starts handling it</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>处置完毕，反馈结果</source>
        <translation>Handling finished: report the result back</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>现场核查，问题已解决</source>
        <translation>Verified on site: the problem is solved</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>结案</source>
        <translation>Close the case</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>不予立案或作废（须写明理由）</source>
        <translation>Do not register, or void the case (give the reason)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>非本单位职责，退回重新派遣（须写明理由）</source>
        <translation>Not this unit&apos;s duty: send back for dispatch again (give the reason)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>延长处置时限（须写明理由、批准人和新的截止时间）</source>
        <translation>Extend the time limit (give the reason, who approved it and the new deadline)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>核查未通过，返回重新处置（须写明原因）</source>
        <translation>Verification failed: back to handling for rework (give the reason)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>暂时无法解决，挂账（须书面说明）</source>
        <translation>Cannot be solved for now: put on hold (explain in writing)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>挂牌督办（须写明督办要求）</source>
        <translation>Flag for supervision (state what is required)</translation>
    </message>
</context>
<context>
    <name>CaseDetail</name>
    <message>
        <location filename="../case_detail.py" line="+271"/>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>操作</source>
        <translation>Action</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>操作人</source>
        <translation>By</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>说明</source>
        <translation>Remarks</translation>
    </message>
    <message>
        <location line="-168"/>
        <source>在左侧列表中选择一个案件。</source>
        <translation>Choose a case in the list on the left.</translation>
    </message>
    <message>
        <location line="-208"/>
        <source>{name}（{code}）</source>
        <translation>{name} ({code})</translation>
    </message>
    <message>
        <location line="+233"/>
        <source>已超期（截止 {due}）</source>
        <translation>Overdue (deadline {due})</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>【挂牌督办】</source>
        <translation>[Flagged for supervision]</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>案件</source>
        <translation>Case</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>可办理：{a}</source>
        <translation>Possible actions: {a}</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>、</source>
        <translation>, </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>案件已{s}，不能再办理。</source>
        <translation>The case is {s}; no further action is possible.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>返工原因（第 {n} 次返工，{at}{who}）：</source>
        <translation>Reason for rework (rework no. {n}, {at}{who}):</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>在地图上查看</source>
        <translation>Show on map</translation>
    </message>
    <message>
        <location line="+20"/>
        <location line="+14"/>
        <source>（无）</source>
        <translation>(none)</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>（未分类）</source>
        <translation>(uncategorised)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>问题描述</source>
        <translation>Description</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>关联企业</source>
        <translation>Enterprise</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>上报时间</source>
        <translation>Reported at</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>上报人</source>
        <translation>Reported by</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>街道</source>
        <translation>Street</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>社区</source>
        <translation>Community</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>单元网格</source>
        <translation>Grid cell</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>处置人</source>
        <translation>Handler</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>（未派遣）</source>
        <translation>(not dispatched)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>立案时间</source>
        <translation>Registered at</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>派遣时间</source>
        <translation>Dispatched at</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>处置截止</source>
        <translation>Handling deadline</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>当前环节截止</source>
        <translation>Deadline of current stage</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>结案时间</source>
        <translation>Closed at</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>返工 / 延期</source>
        <translation>Rework / extensions</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{r} 次 / {e} 次</source>
        <translation>{r} / {e}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>结案条件</source>
        <translation>Closing conditions</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>外部编号</source>
        <translation>External number</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{label}：</source>
        <translation>{label}:</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>{name}（{staff}，{phone}）</source>
        <translation>{name} ({staff}, {phone})</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>照片</source>
        <translation>Photos</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>{name}（无法显示）</source>
        <translation>{name} (cannot be shown)</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>截止 {t}</source>
        <translation>deadline {t}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>办理经过</source>
        <translation>Case history</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>（无，须指定）</source>
        <translation>(none; must be chosen)</translation>
    </message>
</context>
<context>
    <name>CaseListModel</name>
    <message>
        <location filename="../cases_view.py" line="+62"/>
        <source>案件编号</source>
        <translation>Case no.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+61"/>
        <source>超期</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <location line="-60"/>
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>问题描述</source>
        <translation>Description</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>街道</source>
        <translation>Street</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>社区</source>
        <translation>Community</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>单元网格</source>
        <translation>Grid cell</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>处置人</source>
        <translation>Handler</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>上报时间</source>
        <translation>Reported at</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>当前截止</source>
        <translation>Current deadline</translation>
    </message>
    <message>
        <location line="+70"/>
        <source>{s}·督</source>
        <translation>{s} · supervised</translation>
    </message>
</context>
<context>
    <name>CaseSource</name>
    <message>
        <location filename="../i18n.py" line="-50"/>
        <source>市民投诉</source>
        <translation>Citizen complaint</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>12345热线</source>
        <translation>12345 hotline</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>巡查上报</source>
        <translation>Patrol report</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>视频抓拍</source>
        <translation>Video capture</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>巡检发现</source>
        <translation>Found on inspection</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>信访</source>
        <translation>Petition</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>上级交办</source>
        <translation>Assigned from above</translation>
    </message>
</context>
<context>
    <name>CaseStatus</name>
    <message>
        <location line="+17"/>
        <source>受理</source>
        <translation>Accepted</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>立案</source>
        <translation>Registered</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>派遣</source>
        <translation>Dispatched</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>处置</source>
        <translation>Handling</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>反馈</source>
        <translation>Reported back</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>核查</source>
        <translation>Verifying</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>结案</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>作废</source>
        <translation>Voided</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>挂账</source>
        <translation>On hold</translation>
    </message>
</context>
<context>
    <name>CasesPanel</name>
    <message>
        <location filename="../cases_panel.py" line="+63"/>
        <source>新建案件</source>
        <translation>New case</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>点击后在地图上点选案件位置</source>
        <translation>Then click the case location on the map</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+92"/>
        <source>（未指定）</source>
        <translation>(not given)</translation>
    </message>
    <message>
        <location line="-88"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>操作人：</source>
        <translation>Done by:</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>案件</source>
        <translation>Cases</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>考核指标</source>
        <translation>Assessment indicators</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>无法显示案件：{e}</source>
        <translation>Cannot show the case: {e}</translation>
    </message>
    <message>
        <location line="+92"/>
        <source>{status}（{n}）</source>
        <translation>{status} ({n})</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>其他状态（{n}）</source>
        <translation>Other statuses ({n})</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>红圈：超期（{n}）</source>
        <translation>Red ring: overdue ({n})</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>案件状态</source>
        <translation>Case status</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>请在地图上点击案件位置</source>
        <translation>Click the case location on the map</translation>
    </message>
</context>
<context>
    <name>CasesView</name>
    <message>
        <location filename="../cases_view.py" line="+57"/>
        <source>全部状态</source>
        <translation>All statuses</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>在办（受理至核查）</source>
        <translation>Open (accepted to verification)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>只看超期（截至现在）</source>
        <translation>Overdue only (as of now)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>全部来源</source>
        <translation>All sources</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>全部街道</source>
        <translation>All streets</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>全部处置人</source>
        <translation>All handlers</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>搜索：案件编号（开头几位）或描述、地址中的文字</source>
        <translation>Search: case no. (first digits) or words in the description or address</translation>
    </message>
    <message>
        <location line="+57"/>
        <source>全部类别</source>
        <translation>All categories</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>全部社区</source>
        <translation>All communities</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>全部网格</source>
        <translation>All cells</translation>
    </message>
    <message>
        <location line="+55"/>
        <source>共 {n} 件，其中超期 {m} 件（截至 {t}）</source>
        <translation>{n} cases, {m} overdue (as of {t})</translation>
    </message>
</context>
<context>
    <name>ConflictsDialog</name>
    <message>
        <location filename="../conflicts_view.py" line="+176"/>
        <source>外业冲突</source>
        <translation>Field conflicts</translation>
    </message>
</context>
<context>
    <name>ConflictsView</name>
    <message>
        <location line="-140"/>
        <source>企业</source>
        <translation>Enterprise</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>案件</source>
        <translation>Case</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>联系人</source>
        <translation>Contact person</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>联系电话</source>
        <translation>Contact phone</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>经度/X</source>
        <translation>Longitude/X</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>纬度/Y</source>
        <translation>Latitude/Y</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>案件编号</source>
        <translation>Case no.</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+9"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="-8"/>
        <source>处置人</source>
        <translation>Handler</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>处置截止</source>
        <translation>Handling deadline</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>案件进展</source>
        <translation>Case steps</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>未应用的原因</source>
        <translation>Why not applied</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>编号</source>
        <translation>No.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>记录</source>
        <translation>Record</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>字段</source>
        <translation>Field</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>导出时</source>
        <translation>When exported</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>桌面版本</source>
        <translation>Desk version</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>外业版本</source>
        <translation>Field version</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>（空）</source>
        <translation>(empty)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{action} {at}</source>
        <translation>{action} {at}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{step}（{note}）</source>
        <translation>{step} ({note})</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>；</source>
        <translation>; </translation>
    </message>
    <message>
        <location line="+22"/>
        <source>包括已决定的</source>
        <translation>Include decided ones</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>保留桌面版本</source>
        <translation>Keep desk version</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>采用外业版本</source>
        <translation>Take field version</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>待决定</source>
        <translation>Undecided</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>已保留桌面版本</source>
        <translation>Desk version kept</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>已采用外业版本</source>
        <translation>Field version taken</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>待决定的冲突 {n} 个：桌面和外业都改过的记录，两个版本都已保留</source>
        <translation>{n} undecided conflicts: records changed both at the desk and in the field; both versions are stored</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>没有待决定的冲突</source>
        <translation>No undecided conflicts</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>不能这样决定</source>
        <translation>Cannot decide this way</translation>
    </message>
</context>
<context>
    <name>FieldpackDialog</name>
    <message>
        <location filename="../fieldpack_dialog.py" line="+70"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>已取消，项目未改变</source>
        <translation>Cancelled; the project is unchanged</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{title}：{message}</source>
        <translation>{title}: {message}</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>正在取消…</source>
        <translation>Cancelling…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>完成</source>
        <translation>Done</translation>
    </message>
</context>
<context>
    <name>FieldpackExportDialog</name>
    <message>
        <location line="+30"/>
        <location line="+109"/>
        <location line="+7"/>
        <source>导出外业包</source>
        <translation>Export field package</translation>
    </message>
    <message>
        <location line="-113"/>
        <source>按人员</source>
        <translation>By officer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>按区域</source>
        <translation>By area</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>全部人员：当日负责网格的每人一个 .zip（输出为文件夹）</source>
        <translation>All officers: one .zip for everyone on duty that day (output is a folder)</translation>
    </message>
    <message>
        <location line="+15"/>
        <location line="+76"/>
        <source>新文件夹，或以 .zip 结尾的文件</source>
        <translation>A new folder, or a file ending in .zip</translation>
    </message>
    <message>
        <location line="-75"/>
        <source>浏览…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>范围：</source>
        <translation>Scope:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>日期：</source>
        <translation>Date:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>输出：</source>
        <translation>Output:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>导出</source>
        <translation>Export</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>{name}（{staff}）{role}</source>
        <translation>{name} ({staff}) {role}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{level} {name}（{code}）</source>
        <translation>{level} {name} ({code})</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>选择外业包的上级文件夹</source>
        <translation>Choose the folder to put the field package in</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>外业包-全部人员-{day}</source>
        <translation>fieldpacks-all-officers-{day}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>外业包</source>
        <translation>fieldpack</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>外业包-{label}-{day}</source>
        <translation>fieldpack-{label}-{day}</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>新文件夹（放各人的 .zip）</source>
        <translation>New folder (for everyone&apos;s .zip)</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>&lt;b&gt;已导出&lt;/b&gt; {n} 个外业包（{day} 的责任），共 {mb} MB</source>
        <translation>&lt;b&gt;Exported&lt;/b&gt; {n} field packages (responsibilities of {day}), {mb} MB in all</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>未生成：{name}（{staff}）：{reason}</source>
        <translation>Not made: {name} ({staff}): {reason}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>、</source>
        <translation>, </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>未包含：{what}</source>
        <translation>Not included: {what}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&lt;b&gt;已导出&lt;/b&gt; {scope}：单元网格 {cells} 个，企业 {enterprises} 个，未结案件 {cases} 件</source>
        <translation>&lt;b&gt;Exported&lt;/b&gt; {scope}: {cells} grid cells, {enterprises} enterprises, {cases} open cases</translation>
    </message>
</context>
<context>
    <name>FieldpackImportDialog</name>
    <message>
        <location line="-236"/>
        <source>检查记录</source>
        <translation>Inspection</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>企业更正</source>
        <translation>Enterprise correction</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>案件进展</source>
        <translation>Case step</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>新立案件</source>
        <translation>New case</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>冲突</source>
        <translation>Conflict</translation>
    </message>
    <message>
        <location line="+249"/>
        <location line="+84"/>
        <source>导入外业包</source>
        <translation>Import field package</translation>
    </message>
    <message>
        <location line="-79"/>
        <source>外业包文件夹或 .zip</source>
        <translation>Field package folder or .zip</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>文件夹…</source>
        <translation>Folder…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>外业包：</source>
        <translation>Field package:</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+60"/>
        <source>试运行</source>
        <translation>Dry run</translation>
    </message>
    <message>
        <location line="-58"/>
        <source>导入</source>
        <translation>Import</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>处理冲突…</source>
        <translation>Resolve conflicts…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>选择外业包文件夹</source>
        <translation>Choose the field package folder</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>选择外业包</source>
        <translation>Choose the field package</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>外业包 (*.zip)</source>
        <translation>Field packages (*.zip)</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>检查记录 {inspections} 条，企业更正 {enterprises} 个，案件进展 {steps} 步，新冲突 {conflicts} 个</source>
        <translation>{inspections} inspections, {enterprises} enterprise corrections, {steps} case steps, {conflicts} new conflicts</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&lt;b&gt;不能导入&lt;/b&gt;：{n} 处数据无效（见下表：图层和要素编号），项目未改变</source>
        <translation>&lt;b&gt;Cannot import&lt;/b&gt;: {n} invalid values (see the table below: layer and feature number); the project is unchanged</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>这个外业包已经导入过，没有新内容：项目未改变</source>
        <translation>This field package has already been imported and holds nothing new; the project is unchanged</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&lt;b&gt;试运行完成&lt;/b&gt;，未写入项目。将导入：</source>
        <translation>&lt;b&gt;Dry run finished&lt;/b&gt;; nothing was written to the project. The import will add: </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&lt;b&gt;导入完成&lt;/b&gt;：</source>
        <translation>&lt;b&gt;Import finished&lt;/b&gt;: </translation>
    </message>
    <message>
        <location line="+6"/>
        <source>；</source>
        <translation>; </translation>
    </message>
</context>
<context>
    <name>FindingsModel</name>
    <message>
        <location filename="../findings_view.py" line="+24"/>
        <source>级别</source>
        <translation>Severity</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>图层/文件</source>
        <translation>Layer/file</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>行</source>
        <translation>Row</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>编码</source>
        <translation>Code</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>面积(平方米)</source>
        <translation>Area (m²)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>说明</source>
        <translation>Details</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>提示</source>
        <translation>Notice</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>警告</source>
        <translation>Warning</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>错误</source>
        <translation>Error</translation>
    </message>
</context>
<context>
    <name>GridSystem</name>
    <message>
        <location filename="../i18n.py" line="-29"/>
        <source>城管单元网格</source>
        <translation>Urban management grid</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>环保网格</source>
        <translation>Environmental grid</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <location filename="../import_dialog.py" line="+66"/>
        <source>网格</source>
        <translation>grid</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>企业名录</source>
        <translation>enterprise register</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>人员名单</source>
        <translation>staff list</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+351"/>
        <source>选择文件</source>
        <translation>Choose file</translation>
    </message>
    <message>
        <location line="-351"/>
        <source>预览</source>
        <translation>Preview</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>列对应</source>
        <translation>Columns</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>坐标/编码</source>
        <translation>Coordinates/encoding</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+608"/>
        <source>试运行</source>
        <translation>Dry run</translation>
    </message>
    <message>
        <location line="-608"/>
        <location line="+608"/>
        <source>导入</source>
        <translation>Import</translation>
    </message>
    <message>
        <location line="-605"/>
        <source>（不导入）</source>
        <translation>(not imported)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>编码</source>
        <translation>Code</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>上级（编码或名称）</source>
        <translation>Parent (code or name)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>企业名称</source>
        <translation>Enterprise name</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>统一社会信用代码</source>
        <translation>Unified social credit code</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>企业编号</source>
        <translation>Enterprise ID</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>所属行业</source>
        <translation>Industry</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>监管类别</source>
        <translation>Supervision class</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>环境行为等级</source>
        <translation>Environmental behaviour rating</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>检查频次</source>
        <translation>Inspection frequency</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>联系人</source>
        <translation>Contact person</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>联系电话</source>
        <translation>Contact phone</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>经度</source>
        <translation>Longitude</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>纬度</source>
        <translation>Latitude</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>X 坐标</source>
        <translation>X coordinate</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Y 坐标</source>
        <translation>Y coordinate</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>最近检查日期</source>
        <translation>Last inspection date</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>工号</source>
        <translation>Staff number</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>手机</source>
        <translation>Mobile</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>角色</source>
        <translation>Role</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>所属单位</source>
        <translation>Unit</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>未指定：试算各坐标系（明显不符时拒收）</source>
        <translation>Not given: try each system (refused when clearly wrong)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>WGS84（GPS）</source>
        <translation>WGS84 (GPS)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GCJ-02（高德/腾讯）</source>
        <translation>GCJ-02 (Amap/Tencent)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>BD-09（百度）</source>
        <translation>BD-09 (Baidu)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>EPSG 代码（投影坐标 X/Y）…</source>
        <translation>EPSG code (projected X/Y)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+3"/>
        <source>自动识别</source>
        <translation>Detect automatically</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>由 BOM 确定</source>
        <translation>from the BOM</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>手动指定</source>
        <translation>chosen by hand</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>来自 .cpg 文件</source>
        <translation>from the .cpg file</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>接受 {accepted} 个要素，拒绝 {refused} 个要素，警告 {warnings} 条</source>
        <translation>Accepted {accepted} features, refused {refused} features, {warnings} warnings</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>接受 {accepted} 行，拒绝 {refused} 行，警告 {warnings} 条</source>
        <translation>Accepted {accepted} rows, refused {refused} rows, {warnings} warnings</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>新增 {inserted}，更新 {updated}，未变 {unchanged}</source>
        <translation>{inserted} new, {updated} updated, {unchanged} unchanged</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>；项目中有 {n} 家不在此文件中（保留不动）</source>
        <translation>; {n} in the project are not in this file (left as they are)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>坐标系 {crs}</source>
        <translation>CRS {crs}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>编码 {encoding}</source>
        <translation>encoding {encoding}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>，</source>
        <translation>, </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>；{n} 家企业随网格变化改变了所属网格</source>
        <translation>; {n} enterprises moved to another cell with the new grid</translation>
    </message>
    <message>
        <location line="+100"/>
        <source>导入{what}</source>
        <translation>Import {what}</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>用所选的列和设置试着导入一遍：检查每一行，列出会被拒绝的行和警告，但不写入项目。</source>
        <translation>A dry run with the chosen columns and settings: every row is checked and the rows that would be refused and the warnings are listed, but nothing is written to the project.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>把试运行通过的行写入项目。全部在一个事务中写入：取消或出错时项目保持原样。</source>
        <translation>Write the rows that passed the dry run to the project, in one transaction: if you cancel or something fails, the project stays as it was.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>开始导入</source>
        <translation>Start import</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>上一步</source>
        <translation>Back</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>下一步</source>
        <translation>Next</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>完成</source>
        <translation>Finish</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>选择要导入的文件</source>
        <translation>Choose the file to import</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>浏览…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>文件：</source>
        <translation>File:</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>层级：</source>
        <translation>Level:</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{name}（{code}）</source>
        <translation>{name} ({code})</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>网格体系：</source>
        <translation>Grid system:</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>每个字段从文件的哪一列读取。已按列名自动识别；识别不对或没识别到的，请在这里选择。</source>
        <translation>Which column of the file each field is read from. Columns were recognised by their headers; choose here where that is wrong or nothing was found.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{field}：</source>
        <translation>{field}:</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>例如 EPSG:4547（CGCS2000 3 度带 114°E）</source>
        <translation>e.g. EPSG:4547 (CGCS2000 3-degree zone, 114°E)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>确属位置更正：允许已有企业整体移动</source>
        <translation>This is a location correction: allow existing enterprises to move as a whole</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>严格：统一社会信用代码无效（如校验位错）的行拒收</source>
        <translation>Strict: refuse rows whose unified social credit code is invalid (a bad check character…)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>例如 EPSG:4547；留空则使用文件自带的坐标系</source>
        <translation>e.g. EPSG:4547; leave empty to use the file&apos;s own CRS</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>坐标系：</source>
        <translation>CRS:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>EPSG 代码：</source>
        <translation>EPSG code:</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>指定坐标系：</source>
        <translation>Override CRS:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>文件编码：</source>
        <translation>File encoding:</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>矢量文件 ({pattern});;所有文件 (*)</source>
        <translation>Vector files ({pattern});;All files (*)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>表格 (*.xlsx *.csv);;所有文件 (*)</source>
        <translation>Spreadsheets (*.xlsx *.csv);;All files (*)</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>共 {n} 个要素（图层 {layer}），下面是前 {shown} 个的属性。</source>
        <translation>{n} features (layer {layer}); the attributes of the first {shown} are shown below.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>工作表 {sheet}，</source>
        <translation>Sheet {sheet}, </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>表头在第 {header} 行，共 {n} 行数据，下面是前 {shown} 行（行号即表格中的行号）。</source>
        <translation>header in row {header}, {n} data rows; the first {shown} are shown below (row numbers as in the spreadsheet).</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>编码：{encoding}（{how}）</source>
        <translation>Encoding: {encoding} ({how})</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>坐标系：文件中没有（缺少 .prj 等），请在“坐标/编码”一步指定。</source>
        <translation>CRS: none in the file (no .prj or similar); give one in the &quot;Coordinates/encoding&quot; step.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>坐标系：{crs}</source>
        <translation>CRS: {crs}</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+27"/>
        <source>（第 {n} 列）</source>
        <translation>(column {n})</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>无法从编码判断层级，请选择。</source>
        <translation>The level cannot be told from the codes; please choose it.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>按编码列 {col} 的长度识别为{level}；不对请改选。</source>
        <translation>Recognised as {level} from the length of the codes in {col}; change it if that is wrong.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>项目中还没有{levels}：将由文件派生（编码取自编码前缀或所属列，边界由下级合并），试运行的报告会列出。</source>
        <translation>The project has no {levels} yet: they will be derived from the file (codes from code prefixes or parent columns, boundaries dissolved); the dry run&apos;s report lists them.</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>导入时将使用：</source>
        <translation>The import will use: </translation>
    </message>
    <message>
        <location line="+0"/>
        <source>；</source>
        <translation>; </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>（没有可用的列）</source>
        <translation>(no usable column)</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>读取时用的是 {encoding}（{how}）；中文显示为乱码时请改选编码。</source>
        <translation>Read as {encoding} ({how}); if the Chinese text looks garbled, choose another encoding.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>此类文件不需要指定编码。</source>
        <translation>Files of this kind need no encoding.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>文件中没有坐标系：必须指定（例如 EPSG:4547、EPSG:4490）。</source>
        <translation>The file has no CRS: you must give one (e.g. EPSG:4547, EPSG:4490).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>。只有确知文件自带的坐标系不对时才需要另行指定。</source>
        <translation>. Override it only if you know the file&apos;s own CRS is wrong.</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>文件中没有坐标系，请指定坐标系。</source>
        <translation>The file has no CRS; please give one.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>请填写 EPSG 代码。</source>
        <translation>Please enter an EPSG code.</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>已取消，项目未改变</source>
        <translation>Cancelled; the project is unchanged</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>正在取消…</source>
        <translation>Cancelling…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>试运行完成，未写入项目。</source>
        <translation>Dry run finished; nothing was written to the project.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>导入完成。</source>
        <translation>Import finished.</translation>
    </message>
</context>
<context>
    <name>Indicators</name>
    <message>
        <location filename="../indicators_view.py" line="+76"/>
        <source>编码</source>
        <translation>Code</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>所属</source>
        <translation>Parent</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>立案数</source>
        <translation>Registered</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>应结案数</source>
        <translation>Due to close</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>结案数</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>按期结案数</source>
        <translation>Closed on time</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>应处置数</source>
        <translation>Due for handling</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>处置数</source>
        <translation>Handled</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>核查数</source>
        <translation>Verified</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>返工数</source>
        <translation>Reworked</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>延期数</source>
        <translation>Extended</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>在办数</source>
        <translation>Open</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>超期在办数</source>
        <translation>Open overdue</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>挂账数</source>
        <translation>On hold</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>作废数</source>
        <translation>Voided</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>受理数</source>
        <translation>Received</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>待受理数</source>
        <translation>Awaiting acceptance</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>受理口径结案数</source>
        <translation>Closed (of received)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>受理口径按期结案数</source>
        <translation>Closed on time (of received)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>结案率</source>
        <translation>Closure rate</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>按期结案率</source>
        <translation>On-time closure rate</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>处置率</source>
        <translation>Handling rate</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>返工率</source>
        <translation>Rework rate</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>延期率</source>
        <translation>Extension rate</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>综合得分</source>
        <translation>Overall score</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>应按频次检查企业数</source>
        <translation>Enterprises with an inspection frequency</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>按频次检查企业数</source>
        <translation>Enterprises inspected on schedule</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>检查频次不明企业数</source>
        <translation>Enterprises of unknown frequency</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>按频次检查率</source>
        <translation>On-schedule inspection rate</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>合计</source>
        <translation>Total</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>（未填）</source>
        <translation>(blank)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>街道</source>
        <translation>street</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>社区</source>
        <translation>community</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>单元网格</source>
        <translation>grid cell</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>处置人员</source>
        <translation>handler</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>案件小类</source>
        <translation>case subcategory</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>案件大类</source>
        <translation>case category</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>月份</source>
        <translation>month</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>全区</source>
        <translation>Whole district</translation>
    </message>
</context>
<context>
    <name>IndicatorsHeader</name>
    <message>
        <location line="+39"/>
        <source>{project} 网格化考核指标（按{by}）</source>
        <translation>{project} grid assessment indicators (by {by})</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{name} {w}</source>
        <translation>{name} {w}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>(1-{name}) {w}</source>
        <translation>(1-{name}) {w}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>，</source>
        <translation>, </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>统计口径：立案时间 {first} 至 {last}；作废案件只计作废数</source>
        <translation>Counted: cases registered {first} to {last}; voided cases count only as voided</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>计算时点（as of）：{t}（此后的办理记录不计入）</source>
        <translation>As of {t} (steps recorded later are not counted)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>最早</source>
        <translation>the earliest</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>计算时点</source>
        <translation>the as-of time</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>结案率分母：{name}</source>
        <translation>Close-rate denominator: {name}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>综合得分权重：{weights}</source>
        <translation>Composite score weights: {weights}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>应结案数</source>
        <translation>Cases due to close</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>立案数（不含作废）</source>
        <translation>Registered cases (voided excluded)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>受理数（全部受理）</source>
        <translation>Received cases (all accepted)</translation>
    </message>
</context>
<context>
    <name>IndicatorsView</name>
    <message>
        <location line="+33"/>
        <source>M月</source>
        <translation>MMM</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>按{g}</source>
        <translation>By {g}</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>计算</source>
        <translation>Compute</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>立案时间</source>
        <translation>Registered at</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>计算时点</source>
        <translation>As of</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>图表指标</source>
        <translation>Chart indicator</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>选择分组、统计期和计算时点，然后点“计算”。</source>
        <translation>Choose the grouping, the period and the as-of time, then click &quot;Compute&quot;.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>按区域</source>
        <translation>By area</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>按月</source>
        <translation>By month</translation>
    </message>
    <message>
        <location line="+83"/>
        <source>计算考核指标</source>
        <translation>Compute assessment indicators</translation>
    </message>
    <message>
        <location line="+68"/>
        <source>{m}（按{g}）</source>
        <translation>{m} (by {g})</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>，立案数最多的 {n} 个</source>
        <translation>, the {n} with most registered cases</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>（坐标从 {lo} 起）</source>
        <translation>(axis starts at {lo})</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>按月：立案、应结案、结案、按期结案</source>
        <translation>By month: registered, due to close, closed, closed on time</translation>
    </message>
</context>
<context>
    <name>LanguageMenu</name>
    <message>
        <location filename="../i18n.py" line="+168"/>
        <source>语言 Language</source>
        <translation>Language 语言</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>重新启动后，已打开的窗口也随之改变</source>
        <translation>Windows already open change after a restart</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../app.py" line="+142"/>
        <source>gridmgr 网格化管理</source>
        <translation>gridmgr grid management</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>网格体系</source>
        <translation>Grid system</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>查找：网格/区域编码或名称、企业名称或信用代码、人员姓名或工号</source>
        <translation>Find: cell/area code or name, enterprise name or credit code, officer name or staff number</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>区域</source>
        <translation>Area</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>编码</source>
        <translation>Code</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>打开项目后，点击地图或左侧的区域查看详情。</source>
        <translation>Open a project, then click the map or an area on the left to see its details.</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>地图</source>
        <translation>Map</translation>
    </message>
    <message>
        <location line="+18"/>
        <source> 着色：</source>
        <translation> Colour by: </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>无</source>
        <translation>None</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+602"/>
        <source>企业数</source>
        <translation>Enterprises</translation>
    </message>
    <message>
        <location line="-601"/>
        <source>重点企业数</source>
        <translation>Key enterprises</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>未落实责任人</source>
        <translation>Unassigned</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+604"/>
        <source>未结案件</source>
        <translation>Open cases</translation>
    </message>
    <message>
        <location line="-603"/>
        <location line="+603"/>
        <source>超期案件</source>
        <translation>Overdue cases</translation>
    </message>
    <message>
        <location line="-599"/>
        <source> 案件：</source>
        <translation> Cases: </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>未办结</source>
        <translation>Unresolved</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>超期</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>已结案</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>已作废</source>
        <translation>Voided</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>全部</source>
        <translation>All</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>地图上显示哪些案件（默认只显示未办结的）</source>
        <translation>Which cases the map shows (by default the unresolved ones)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>全部时间</source>
        <translation>Any time</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>近 30 天</source>
        <translation>Last 30 days</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>近 90 天</source>
        <translation>Last 90 days</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>今年</source>
        <translation>This year</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>按上报时间筛选地图上的案件</source>
        <translation>Filter the map&apos;s cases by the time they were reported</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>框选</source>
        <translation>Box select</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>拖动鼠标框选单元网格（也可按住 Shift 拖动）</source>
        <translation>Drag to select grid cells in a box (or Shift+drag)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>清除选择</source>
        <translation>Clear selection</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>为选中网格指定责任人…</source>
        <translation>Assign officer to selection…</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+30"/>
        <source>全图</source>
        <translation>Full extent</translation>
    </message>
    <message>
        <location line="-26"/>
        <source>项目</source>
        <translation>Project</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>新建…</source>
        <translation>New…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>打开…</source>
        <translation>Open…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>打开服务器项目…</source>
        <translation>Open server project…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>最近打开</source>
        <translation>Recent</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>导入网格（区/街道/社区/单元网格）…</source>
        <translation>Import grid (district/street/community/cell)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>导入企业名录…</source>
        <translation>Import enterprise register…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>导入人员名单…</source>
        <translation>Import staff list…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>退出</source>
        <translation>Quit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>网格</source>
        <translation>Grid</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>检查网格…</source>
        <translation>Validate grid…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>修复几何…</source>
        <translation>Repair geometry…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>为选中的网格指定责任人…</source>
        <translation>Assign officer to selected cells…</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+26"/>
        <source>视图</source>
        <translation>View</translation>
    </message>
    <message>
        <location line="-23"/>
        <source>底图</source>
        <translation>Basemap</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>无底图</source>
        <translation>No basemap</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>选择 MBTiles 文件…</source>
        <translation>Choose MBTiles file…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>选择瓦片文件夹（{z}/{x}/{y}）…</source>
        <translation>Choose tile folder ({z}/{x}/{y})…</translation>
    </message>
    <message>
        <location line="+26"/>
        <location line="+163"/>
        <source>案件</source>
        <translation>Cases</translation>
    </message>
    <message>
        <location line="-127"/>
        <source>打开项目</source>
        <translation>Open project</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>gridmgr 项目 (*.gpkg)</source>
        <translation>gridmgr projects (*.gpkg)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>服务器密码</source>
        <translation>Server password</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{why}

请输入用户 {user} 的密码（只保存在本次运行的内存中）：</source>
        <translation>{why}

Password for user {user} (kept in memory for this session only):</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>打开服务器项目</source>
        <translation>Open server project</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>项目地址，如 postgresql://用户@主机:5432/数据库?schema=项目
（密码不写在地址里：用 PGPASSWORD、~/.pgpass，或稍后在这里输入）：</source>
        <translation>Project address, e.g. postgresql://user@host:5432/database?schema=project
(no password in the address: use PGPASSWORD, ~/.pgpass, or type it here later):</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>项目在网络共享上</source>
        <translation>Project on a network share</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>点击地图或左侧的区域查看详情。</source>
        <translation>Click the map or an area on the left to see its details.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{name} — gridmgr 网格化管理 — {file}</source>
        <translation>{name} — gridmgr grid management — {file}</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>，</source>
        <translation>, </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>；企业 {n} 家，地图只画国控、省控 {k} 家</source>
        <translation>; {n} enterprises, the map draws only the {k} under national or provincial control</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{system}：{counts}</source>
        <translation>{system}: {counts}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>坐标系 {crs}</source>
        <translation>CRS {crs}</translation>
    </message>
    <message>
        <location line="+26"/>
        <location line="+45"/>
        <location line="+508"/>
        <source>企业</source>
        <translation>Enterprises</translation>
    </message>
    <message>
        <location line="-553"/>
        <location line="+553"/>
        <source>人员</source>
        <translation>Officers</translation>
    </message>
    <message>
        <location line="-552"/>
        <source>责任记录</source>
        <translation>Responsibilities</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>区界</source>
        <translation>District boundary</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>街道界</source>
        <translation>Street boundary</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>社区界</source>
        <translation>Community boundary</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>单元网格</source>
        <translation>Unit grid cell</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>界线</source>
        <translation>Boundaries</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>企业（只画国控、省控）</source>
        <translation>Enterprises (state and provincial key ones only)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>案件：{show}，{period}</source>
        <translation>Cases: {show}, {period}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>（无）</source>
        <translation>(none)</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>案件 {no}</source>
        <translation>Case {no}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>新建案件</source>
        <translation>New case</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>此地图不能取点；请使用网页地图。</source>
        <translation>This map cannot pick a location; please use the web map.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>在地图上点击案件发生的位置</source>
        <translation>Click where the case happened on the map</translation>
    </message>
    <message>
        <location line="+169"/>
        <source>已选 {n} 个单元网格（Shift+点击增减，Shift+拖动框选，Ctrl+R 指定责任人）</source>
        <translation>{n} grid cells selected (Shift+click to add or remove, Shift+drag for a box, Ctrl+R to assign an officer)</translation>
    </message>
    <message>
        <location line="+94"/>
        <source>责任人落实情况</source>
        <translation>Responsibility coverage</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>未落实（缺责任人或监管责任人）</source>
        <translation>Unassigned (no responsible officer or supervisor)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>已落实</source>
        <translation>Assigned</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>重点企业数（国控、省控）</source>
        <translation>Key enterprises (national and provincial control)</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>无数据</source>
        <translation>No data</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>选择底图</source>
        <translation>Choose basemap</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>MBTiles 瓦片 (*.mbtiles)</source>
        <translation>MBTiles tiles (*.mbtiles)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>选择瓦片文件夹</source>
        <translation>Choose tile folder</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>导入</source>
        <translation>Import</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>请先打开或新建项目</source>
        <translation>Open or create a project first</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>项目已被其他程序或工位修改，已重新载入</source>
        <translation>The project was changed by another program or desk; reloaded</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>项目已被修改</source>
        <translation>Project changed</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>打开此对话框之后，项目已被其他程序或工位修改，窗口已重新载入。
本次未写入任何内容；请核对现在的内容后再确认一次。</source>
        <translation>Since this dialog was opened, another program or desk has changed the project; the window has been reloaded.
Nothing was written this time; check what is shown now and confirm again.</translation>
    </message>
    <message>
        <location line="+17"/>
        <location line="+6"/>
        <source>指定责任人</source>
        <translation>Assign responsible officer</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>请先在地图上选择单元网格（点击、Shift+点击多选、Shift+拖动框选）</source>
        <translation>Select grid cells on the map first (click, Shift+click for more, Shift+drag for a box)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>项目中还没有人员，请先导入人员名单</source>
        <translation>The project has no officers yet; import a staff list first</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>已指定：新增 {n} 条责任，结束 {m} 条</source>
        <translation>Assigned: {n} responsibilities added, {m} ended</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>检查网格</source>
        <translation>Validate grid</translation>
    </message>
    <message>
        <location line="+11"/>
        <location line="+12"/>
        <source>修复几何</source>
        <translation>Repair geometry</translation>
    </message>
    <message>
        <location line="-11"/>
        <source>把导入时保留的无效几何（自相交、蝴蝶结形等）用 make_valid 修复？
编码、上级、历史和责任人不变；所在企业重新定位。修复在一次事务中完成，报告列出每个区域修复前后的面积。</source>
        <translation>Repair the invalid geometries that import kept (self-intersections, bow-ties …) with make_valid?
Codes, parents, history and responsibilities stay; enterprises in them are placed again. One transaction; the report lists each area&apos;s area before and after.</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>已修复 {n} 个无效几何</source>
        <translation>Repaired {n} invalid geometries</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>，{e} 个无法自动修复</source>
        <translation>, {e} could not be repaired automatically</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>没有需要修复的几何</source>
        <translation>No geometry needs repair</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>几何修复报告</source>
        <translation>Geometry repair report</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>检查了 {n} 个区域：</source>
        <translation>Checked {n} areas: </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{e} 个错误、{w} 个警告；双击一行在地图上查看</source>
        <translation>{e} errors, {w} warnings; double-click a row to show it on the map</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>没有发现问题</source>
        <translation>no problems found</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>网格检查结果</source>
        <translation>Grid validation</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>没有找到 {t}</source>
        <translation>Nothing found for {t}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{label}&#x3000;{key}&#x3000;[{kind}]</source>
        <translation>{label}  {key}  [{kind}]</translation>
    </message>
</context>
<context>
    <name>NewCaseDialog</name>
    <message>
        <location filename="../new_case_dialog.py" line="+51"/>
        <source>工作时</source>
        <translation>working hours</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>工作日</source>
        <translation>working days</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>新建案件</source>
        <translation>New case</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>发现了什么问题（例如：人行道旁有暴露垃圾）</source>
        <translation>What was found (e.g. exposed rubbish beside the pavement)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>路名、门牌或参照物</source>
        <translation>Street, house number or landmark</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>输入企业名称或统一社会信用代码搜索</source>
        <translation>Type an enterprise name or unified social credit code</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+114"/>
        <source>（不关联企业）</source>
        <translation>(no enterprise)</translation>
    </message>
    <message>
        <location line="-108"/>
        <source>添加照片…</source>
        <translation>Add photos…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>移除</source>
        <translation>Remove</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>市民、信息采集员……（可不填）</source>
        <translation>Citizen, information collector… (optional)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>（不记录）</source>
        <translation>(not recorded)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>受理后立即立案、派遣给属地责任人</source>
        <translation>Register and dispatch to the local officer at once</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>位置：</source>
        <translation>Location:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>来源：</source>
        <translation>Source:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>大类：</source>
        <translation>Main category:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>小类：</source>
        <translation>Subcategory:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>问题描述：</source>
        <translation>Description:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>地址：</source>
        <translation>Address:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>关联企业：</source>
        <translation>Enterprise:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>照片：</source>
        <translation>Photos:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>上报时间：</source>
        <translation>Reported at:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>上报人：</source>
        <translation>Reported by:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>受理人：</source>
        <translation>Accepted by:</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>受理</source>
        <translation>Accept</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>经度 {lon:.6f}，纬度 {lat:.6f}</source>
        <translation>longitude {lon:.6f}, latitude {lat:.6f}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>不在任何单元网格内（辖区外的位置不能受理）</source>
        <translation>In no grid cell (a location outside the district cannot be accepted)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>（无责任人）</source>
        <translation>(no responsible officer)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>社区</source>
        <translation>community</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>街道</source>
        <translation>street</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>区</source>
        <translation>district</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>，属地兜底：{level}</source>
        <translation>, fallback to the {level}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>单元网格 {cell}；责任人 {who}</source>
        <translation>Grid cell {cell}; responsible officer {who}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>（无）</source>
        <translation>(none)</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>立案条件：{c}</source>
        <translation>Registration conditions: {c}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>处置时限：{n:g} {u}</source>
        <translation>Time limit: {n:g} {u}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>；</source>
        <translation>; </translation>
    </message>
    <message>
        <location line="+18"/>
        <source>无信用代码</source>
        <translation>no credit code</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>选择照片</source>
        <translation>Choose photos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>照片 (*.jpg *.jpeg *.png *.bmp *.gif *.webp *.heic);;所有文件 (*)</source>
        <translation>Photos (*.jpg *.jpeg *.png *.bmp *.gif *.webp *.heic);;All files (*)</translation>
    </message>
</context>
<context>
    <name>NewProjectDialog</name>
    <message>
        <location filename="../new_project_dialog.py" line="+26"/>
        <source>CGCS2000 经纬度（EPSG:4490，推荐）</source>
        <translation>CGCS2000 geographic (EPSG:4490, recommended)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>CGCS2000 3度带 114°E（EPSG:4547，广东中部）</source>
        <translation>CGCS2000 3-degree zone 114°E (EPSG:4547, central Guangdong)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>WGS84 经纬度（EPSG:4326）</source>
        <translation>WGS84 geographic (EPSG:4326)</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+26"/>
        <source>新建项目</source>
        <translation>New project</translation>
    </message>
    <message>
        <location line="-24"/>
        <source>例如 D:/网格/禅城区.gpkg</source>
        <translation>e.g. D:/grid/chancheng.gpkg</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>浏览…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>例如 禅城区</source>
        <translation>e.g. 禅城区</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>6 位县级区划代码，例如 440604</source>
        <translation>6-digit county division code, e.g. 440604</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>项目文件：</source>
        <translation>Project file:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>名称：</source>
        <translation>Name:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>区划代码：</source>
        <translation>Division code:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>存储坐标系：</source>
        <translation>Storage CRS:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>单元网格编码规则：</source>
        <translation>Cell code scheme:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>创建</source>
        <translation>Create</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>gridmgr 项目 (*.gpkg)</source>
        <translation>gridmgr projects (*.gpkg)</translation>
    </message>
</context>
<context>
    <name>PrintDialog</name>
    <message>
        <location filename="../print_dialog.py" line="+41"/>
        <source>不分幅</source>
        <translation>Single sheet</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>按街道分幅</source>
        <translation>One sheet per street</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>按社区分幅</source>
        <translation>One sheet per community</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>按单元网格分幅</source>
        <translation>One sheet per grid cell</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>按责任人分幅</source>
        <translation>One sheet per officer</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>打印责任区域图</source>
        <translation>Print responsibility map</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>纵向</source>
        <translation>Portrait</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>横向</source>
        <translation>Landscape</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>默认：项目名 + 范围名 + 网格化管理责任区域图</source>
        <translation>Default: project + scope + grid management responsibility map</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>出图范围：</source>
        <translation>Map scope:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>分幅：</source>
        <translation>Atlas:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>纸张：</source>
        <translation>Paper:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>方向：</source>
        <translation>Orientation:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>标题：</source>
        <translation>Title:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>刷新预览</source>
        <translation>Refresh preview</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>打印…</source>
        <translation>Print…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>导出 PDF/PNG…</source>
        <translation>Export PDF/PNG…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>全区</source>
        <translation>Whole district</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{name}（{code}）</source>
        <translation>{name} ({code})</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>责任人 {name}（{staff}）</source>
        <translation>Officer {name} ({staff})</translation>
    </message>
    <message>
        <location line="+57"/>
        <location line="+7"/>
        <location line="+55"/>
        <source>正在准备预览…</source>
        <translation>Preparing the preview…</translation>
    </message>
    <message>
        <location line="-37"/>
        <source>{title}：{n} 个单元网格</source>
        <translation>{title}: {n} grid cells</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>，{n} 幅</source>
        <translation>, {n} sheets</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>{title}：共 {pages} 页，预览只显示前 {shown} 页；打印和导出包括全部页面</source>
        <translation>{title}: {pages} pages; the preview shows the first {shown}, printing and export include them all</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>正在打印责任区域图</source>
        <translation>Printing the responsibility map</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>已送打印 {pages} 页</source>
        <translation>Sent {pages} pages to the printer</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>导出责任区域图</source>
        <translation>Export responsibility map</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>正在输出责任区域图</source>
        <translation>Writing the responsibility map</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>已输出 {pages} 页：{file}</source>
        <translation>Wrote {pages} pages: {file}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> 等 {n} 个文件</source>
        <translation> and more, {n} files in all</translation>
    </message>
</context>
<context>
    <name>RegisterHeaders</name>
    <message>
        <location filename="../register_table.py" line="+37"/>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>统一社会信用代码</source>
        <translation>Unified social credit code</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>信用代码标记</source>
        <translation>Credit code flag</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>所属行业</source>
        <translation>Industry</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>监管类别</source>
        <translation>Supervision class</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>环境行为等级</source>
        <translation>Environmental rating</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>检查频次</source>
        <translation>Inspection frequency</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>最近检查日期</source>
        <translation>Last inspection</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>联系人</source>
        <translation>Contact</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>联系电话</source>
        <translation>Contact phone</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>网格编码</source>
        <translation>Cell code</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>社区编码</source>
        <translation>Community code</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>街道编码</source>
        <translation>Street code</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>工号</source>
        <translation>Staff no.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>手机</source>
        <translation>Mobile</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>角色</source>
        <translation>Role</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>所属单位</source>
        <translation>Unit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>区域编码</source>
        <translation>Area code</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>层级</source>
        <translation>Level</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>起始日期</source>
        <translation>From</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>结束日期</source>
        <translation>To</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>网格体系</source>
        <translation>Grid system</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>备注</source>
        <translation>Note</translation>
    </message>
</context>
<context>
    <name>RegisterView</name>
    <message>
        <location line="+82"/>
        <source>筛选：名称、编码、地址、人员…</source>
        <translation>Filter: name, code, address, person…</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>共 {n} 条</source>
        <translation>{n} rows</translation>
    </message>
</context>
<context>
    <name>RunPanel</name>
    <message>
        <location filename="../import_dialog.py" line="-545"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>正在准备…</source>
        <translation>Preparing…</translation>
    </message>
</context>
<context>
    <name>StepNote</name>
    <message>
        <location filename="../i18n.py" line="-167"/>
        <source>导入：外部状态 {status}</source>
        <translation>Imported: external status {status}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>派遣给 {staff}</source>
        <translation>Dispatched to {staff}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{note}（批准人：{approver}）</source>
        <translation>{note} (approved by {approver})</translation>
    </message>
</context>
<context>
    <name>TaskRunner</name>
    <message>
        <location filename="../tasks.py" line="+50"/>
        <source>内部错误</source>
        <translation>Internal error</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>Terms</name>
    <message>
        <location filename="../i18n.py" line="-35"/>
        <source>区</source>
        <translation>District</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>街道</source>
        <translation>Street</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>社区</source>
        <translation>Community</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>单元网格</source>
        <translation>Grid cell</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>网格员</source>
        <translation>Grid worker</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>执法队员</source>
        <translation>Enforcement officer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>区级监管责任人</source>
        <translation>District supervisor</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>信息采集员</source>
        <translation>Information collector</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>网格长</source>
        <translation>Grid leader</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>协管员</source>
        <translation>Assistant officer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>监督员</source>
        <translation>Monitor</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>全国单元网格编码 CJ/T 213（14 位）</source>
        <translation>National cell codes, CJ/T 213 (14 digits)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>北京 DB11 单元网格编码（15 位）</source>
        <translation>Beijing DB11 cell codes (15 digits)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>本网格</source>
        <translation>own cell</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>社区兜底</source>
        <translation>community fallback</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>街道兜底</source>
        <translation>street fallback</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>区兜底</source>
        <translation>district fallback</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>国控</source>
        <translation>State key</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>省控</source>
        <translation>Provincial key</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>市控</source>
        <translation>Municipal key</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>一般</source>
        <translation>Ordinary</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>绿</source>
        <translation>Green</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>蓝</source>
        <translation>Blue</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>黄</source>
        <translation>Yellow</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>红</source>
        <translation>Red</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>黑</source>
        <translation>Black</translation>
    </message>
</context>
<context>
    <name>Tools</name>
    <message>
        <location filename="../tools.py" line="+53"/>
        <source>打印责任区域图…</source>
        <translation>Print responsibility map…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>打印当前视图…</source>
        <translation>Print current view…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>外业</source>
        <translation>Fieldwork</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>导出外业包…</source>
        <translation>Export field package…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>导入外业包…</source>
        <translation>Import field package…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>处理冲突…</source>
        <translation>Resolve conflicts…</translation>
    </message>
</context>
<context>
    <name>WebMapView</name>
    <message>
        <location filename="../web_map.py" line="+175"/>
        <source>区界</source>
        <translation>District boundary</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>街道</source>
        <translation>Streets</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>社区</source>
        <translation>Communities</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>单元网格</source>
        <translation>Grid cells</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>企业</source>
        <translation>Enterprises</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>案件</source>
        <translation>Cases</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>标注</source>
        <translation>Labels</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>底图</source>
        <translation>Basemap</translation>
    </message>
</context>
</TS>
